/* Unit tests of src/att's rules: what a file is by its first bytes, and what
 * its name may be (seed 003 attachments). */
#include "testutil.h"

#include "att/att.h"
#include "core/err.h"

static void sniff_reads_the_content_not_the_name(void **state)
{
	static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'};
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					    0,	  0,   0,   13,	 'I',  'H',  'D',  'R'};
	static const unsigned char webp[] = "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0";
	static const unsigned char pdf[] = "%PDF-1.7\n";
	static const unsigned char html[] = "<html><script>alert(1)</script>";
	static const unsigned char elf[] = "\x7f"
					   "ELF\x02\x01\x01\0";
	static const unsigned char riff_wav[] = "RIFF\x1a\0\0\0WAVEfmt \x10\0\0\0";

	(void)state;
	assert_string_equal(att_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
	assert_string_equal(att_sniff(png, sizeof(png)), "image/png");
	assert_string_equal(att_sniff(webp, sizeof(webp) - 1), "image/webp");
	assert_string_equal(att_sniff(pdf, sizeof(pdf) - 1), "application/pdf");
	assert_null(att_sniff(html, sizeof(html) - 1));
	assert_null(att_sniff(elf, sizeof(elf) - 1));
	assert_null(att_sniff(riff_wav, sizeof(riff_wav) - 1)); /* RIFF, but not WebP */
	assert_null(att_sniff(png, 8));				/* a signature and nothing else */
	assert_null(att_sniff(jpeg, 2));
	assert_null(att_sniff(NULL, 0));
	assert_true(att_is_image("image/webp"));
	assert_false(att_is_image("application/pdf"));
	assert_string_equal(att_extension("image/jpeg"), "jpg");
	assert_string_equal(att_extension("application/pdf"), "pdf");
}

/* Issue 18: voices and recordings, by their structure; markup is refused whatever the magic. */
static void sniff_audio(void **state)
{
	unsigned char amr[6 + 3 * 13], bad_amr[6 + 13 + 5], mp3[2 * 417 + 10], ogg[28 + 8] = {0};
	unsigned char amr_html[6 + 32 * 2];
	static const unsigned char html_amr[] = "#!AMR\n<html><script>alert(1)</script></html>";

	(void)state;
	memcpy(amr, "#!AMR\n", 6);
	for (int i = 0; i < 3; i++) {
		memset(amr + 6 + i * 13, 0x55, 13);
		amr[6 + i * 13] = 0x04; /* frame type 0 (4.75 kbit/s), quality bit: 13 bytes */
	}
	assert_string_equal(att_sniff_audio(amr, sizeof(amr)), "audio/amr");
	assert_null(att_sniff(amr, sizeof(amr))); /* only channels' files take audio */
	/* A frame cut short, or bytes after the last frame: not AMR. */
	memcpy(bad_amr, amr, 6 + 13);
	memset(bad_amr + 19, 0x04, 5);
	assert_null(att_sniff_audio(bad_amr, sizeof(bad_amr)));
	assert_null(att_sniff_audio(amr, sizeof(amr) - 1));
	assert_null(att_sniff_audio(html_amr, sizeof(html_amr) - 1));
	/* "<" (0x3c) is a valid frame header (type 7, 32 bytes): frames of markup still refused. */
	memcpy(amr_html, "#!AMR\n", 6);
	for (int i = 0; i < 2; i++) {
		memset(amr_html + 6 + i * 32, ' ', 32);
		memcpy(amr_html + 6 + i * 32, i ? "<svg/onload=x>" : "<script>alert(1)</script>",
		       i ? 14 : 25);
	}
	amr_html[6 + 32 + 14] = ' ';
	amr_html[6 + 32] = '<';
	assert_null(att_sniff_audio(amr_html, sizeof(amr_html)));

	/* Two MPEG-1 Layer III frames of 128 kbit/s at 44.1 kHz (417 bytes each). */
	memset(mp3, 0, sizeof(mp3));
	memcpy(mp3, "ID3\x03\0\0\0\0\0\0", 10);
	for (int i = 0; i < 2; i++)
		memcpy(mp3 + 10 + i * 417, "\xff\xfb\x90\x00", 4);
	assert_string_equal(att_sniff_audio(mp3, sizeof(mp3)), "audio/mpeg");
	mp3[10 + 417] = 0x3c; /* the second frame is not one */
	assert_null(att_sniff_audio(mp3, sizeof(mp3)));
	assert_null(att_sniff_audio((const unsigned char *)"\xff\xfb", 2));

	memcpy(ogg, "OggS\0\x02", 6);
	ogg[26] = 1;
	ogg[27] = 80;
	memcpy(ogg + 28, "Speex   ", 8);
	assert_string_equal(att_sniff_audio(ogg, sizeof(ogg)), "audio/ogg");
	memcpy(ogg + 28, "OggText ", 8);
	assert_null(att_sniff_audio(ogg, sizeof(ogg)));
	assert_null(att_sniff_audio(NULL, 0));
	assert_string_equal(att_extension("audio/amr"), "amr");
	assert_string_equal(att_extension("audio/mpeg"), "mp3");
	assert_false(att_is_image("audio/amr"));
}

static void filename_is_decoded_and_checked(void **state)
{
	char out[ATT_NAME_MAX + 1], longer[700];
	const char *why = NULL;

	(void)state;
	assert_int_equal(att_filename("%E5%88%92%E7%97%95.jpg", out, sizeof(out), &why), 0);
	assert_string_equal(out, "划痕.jpg");
	/* Only the last path segment of either kind of path. */
	assert_int_equal(att_filename("..%2F..%2Fetc%2Fpasswd", out, sizeof(out), &why), 0);
	assert_string_equal(out, "passwd");
	assert_int_equal(att_filename("C:%5Cphotos%5Ca.png", out, sizeof(out), &why), 0);
	assert_string_equal(out, "a.png");
	assert_int_equal(att_filename(NULL, out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("a%0Ab.jpg", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("a%00.jpg", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("a%zz.jpg", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("a%E5.jpg", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("dir%2F", out, sizeof(out), &why), ERR_INVALID);
	assert_int_equal(att_filename("..", out, sizeof(out), &why), ERR_INVALID);
	memset(longer, 'x', 200);
	longer[200] = '\0';
	assert_int_equal(att_filename(longer, out, sizeof(out), &why), 0);
	longer[200] = 'x';
	longer[201] = '\0';
	assert_int_equal(att_filename(longer, out, sizeof(out), &why), ERR_INVALID);
	assert_non_null(strstr(why, "200"));
}

static void kinds(void **state)
{
	(void)state;
	assert_int_equal(att_kind_valid("photo"), 0);
	assert_int_equal(att_kind_valid("onsite_report"), 0);
	assert_int_equal(att_kind_valid("selfie"), ERR_INVALID);
}

/* The one download header, the orders' and the knowledge base's alike. */
static void disposition(void **state)
{
	char out[3 * ATT_NAME_MAX + 128];

	(void)state;
	att_disposition(12, "划痕 1.png", "image/png", out, sizeof(out));
	assert_string_equal(out, "inline; filename=\"attachment-12.png\"; "
				 "filename*=UTF-8''%E5%88%92%E7%97%95%201.png");
	att_disposition(3, "a\".pdf", "application/pdf", out, sizeof(out));
	assert_string_equal(out,
			    "attachment; filename=\"attachment-3.pdf\"; filename*=UTF-8''a%22.pdf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff_reads_the_content_not_the_name),
		cmocka_unit_test(sniff_audio),
		cmocka_unit_test(filename_is_decoded_and_checked),
		cmocka_unit_test(kinds),
		cmocka_unit_test(disposition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
