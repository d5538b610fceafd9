/*
 * WAV files (src/media/wav.c): an uploaded prompt or announcement is parsed
 * as kefu reads any channel count and as the IVR wants it (one channel),
 * and what parses is decoded to 16-bit samples.
 */
#include "core/err.h"
#include "fuzz/fuzz.h"
#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (unsigned channels = 0; channels <= 1; channels++) {
		struct media_wav w;
		struct err_info ei = {0};
		int16_t *pcm;

		if (media_wav_parse(data, size, channels, &w, &ei) != 0)
			continue;
		/* The caller sizes the output from frames × channels, as rec and ivr do. */
		pcm = malloc(w.frames * w.channels * sizeof(*pcm) + 1);
		if (pcm) {
			media_wav_decode(&w, pcm);
			free(pcm);
		}
	}
	return 0;
}
