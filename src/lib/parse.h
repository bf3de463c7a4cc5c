/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers for what users type: numbers, signal names, on/off switches,
 * environment lookups. Freestanding: no C library calls.
 */
#ifndef LIB_PARSE_H
#define LIB_PARSE_H

/* A decimal number in [0, max] with nothing after it: 0, or -1. */
int parse_uint(const char *s, unsigned long max, unsigned long *out);

/* A signal: 1..64, or a name with or without SIG (TERM, SIGTERM, term).
 * Returns the number, or -1. */
int parse_signal(const char *s);

/* An on/off switch: 1/true/yes/on is 1, 0/false/no/off is 0 (any case),
 * anything else -1. Unlike tini's variables, "0" really means off. */
int parse_switch(const char *s);

/* The value of NAME in envp, or NULL. */
const char *env_get(char **envp, const char *name);

#endif
