/*
 * Audio analysis over arbitrary PCM (src/media/vad.c, inband.c, g711.c):
 * the input as interleaved 16-bit stereo at 8 kHz goes through the voice
 * activity detector and speech spans, the dead-air and talk-over analysis
 * (with a hold span), the in-band DTMF detector and the G.711 round trip.
 */
#include "fuzz/fuzz.h"
#include "media/media.h"

static void on_event(void *ctx, enum media_qa_kind kind, int64_t start_ms, int64_t end_ms)
{
	(void)ctx;
	(void)kind;
	(void)start_ms;
	(void)end_ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / 2, frames = n / 2;
	int16_t *pcm = malloc(n * sizeof(*pcm) + 1);
	uint8_t *law = malloc(n + 1);
	struct media_speech sp;
	struct media_span span, hold = {.start_ms = 100, .end_ms = 300};
	struct media_qa qa;
	struct media_qa_result res;
	struct media_inband *ib = media_inband_new();
	char digit;

	if (!pcm || !law || !ib)
		goto done;
	for (size_t i = 0; i < n; i++)
		pcm[i] = (int16_t)(uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
	media_speech_init(&sp);
	for (size_t f = 0; f + MEDIA_FRAME <= frames; f += MEDIA_FRAME)
		(void)media_speech_frame(&sp, pcm + 2 * f, 2, &span);
	(void)media_speech_end(&sp, &span);
	if (media_qa_init(&qa, &hold, 1, on_event, NULL) == 0) {
		media_qa_feed(&qa, pcm, frames / 2);
		media_qa_feed(&qa, pcm + 2 * (frames / 2), frames - frames / 2);
		media_qa_finish(&qa, &res);
	}
	(void)media_level_cdb(pcm, n, 1);
	(void)media_power_dbm0(pcm, n);
	for (size_t i = 0; i < n; i += MEDIA_FRAME) {
		size_t k = n - i < MEDIA_FRAME ? n - i : MEDIA_FRAME;

		while (media_inband_feed(ib, pcm + i, k, &digit) == 1)
			k = 0;
	}
	media_g711_encode(MEDIA_PCMA, pcm, n, law);
	media_g711_transcode(MEDIA_PCMA, MEDIA_PCMU, law, n, law);
	media_g711_decode(MEDIA_PCMU, law, n, pcm);
done:
	media_inband_free(ib);
	free(law);
	free(pcm);
	return 0;
}
