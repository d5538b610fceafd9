#include "core/mask.h"

#include <stdio.h>
#include <string.h>

void mask_phone(const char *phone, char *out, size_t size)
{
	size_t n = strlen(phone), head, tail;

	if (size == 0)
		return;
	if (n >= 11) {
		head = 3;
		tail = 4;
	} else if (n >= 7) {
		head = 2;
		tail = 2;
	} else {
		head = 0;
		tail = n > 2 ? 1 : 0;
	}
	snprintf(out, size, "%.*s****%s", (int)head, phone, phone + n - tail);
}
