/*
 * Quality-check text (src/qa/qa_text.c): the engine's normalisation (NFKC,
 * case folding, traditional to simplified through OpenCC) with its map
 * from normalised code points back to the original's bytes, and the
 * Aho–Corasick matcher built from the normalised text's pieces and run over
 * it, as a rule's phrases are matched against an utterance.
 */
#include "fuzz/fuzz.h"
#include "qa/qa.h"
#include "qa/qa_int.h"

static int on_match(void *arg, int id, int start, int end)
{
	(void)id;
	(void)start;
	(void)end;
	return ++*(int *)arg > 10000; /* a bound, not a finding: stop counting */
}

/* Patterns of 1..4 code points cut from the text itself, so some match. */
static void automaton(const struct qa_text *t)
{
	struct qa_ac *a = qa_ac_new();
	int hits = 0;

	if (!a)
		return;
	for (int i = 0, k = 0; i < t->n && k < 32; i += 1 + (int)(t->cp[i] % 3), k++) {
		int len = 1 + (int)(t->cp[i] % 4);

		if (len > t->n - i)
			len = t->n - i;
		if (qa_ac_add(a, t->cp + i, len) < 0)
			break;
	}
	if (qa_ac_build(a) == 0) {
		for (int id = 0; id < qa_ac_npatterns(a); id++)
			(void)qa_ac_pattern_len(a, id);
		(void)qa_ac_scan(a, t->cp, t->n, on_match, &hits);
	}
	qa_ac_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char out[512];
	struct qa_text t = {0};

	if (!s)
		return 0;
	(void)qa_normalise(s, out, sizeof(out));
	if (qa_text_norm(&t, s) == 0) {
		for (int b = 0; t.u8 && b < (int)strlen(t.u8); b++)
			(void)qa_text_cp_at(&t, b);
		automaton(&t);
	}
	qa_text_free(&t);
	free(s);
	return 0;
}
