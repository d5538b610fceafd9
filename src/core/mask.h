/*
 * mask — hides most of a phone number for people who need only to tell
 * numbers apart (CUST-2, SEC-1): "13812341234" becomes "138****1234".
 */
#ifndef KEFU_CORE_MASK_H
#define KEFU_CORE_MASK_H

#include <stddef.h>

/* Keeps the first 3 and last 4 digits of 11 or more; fewer keep less. */
void mask_phone(const char *phone, char *out, size_t size);

#endif
