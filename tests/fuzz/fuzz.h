/* fuzz.h: what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * The tools and lib/ end a run with die(), which calls exit(). To
 * libFuzzer an exit in the middle of an input is a crash, but for us it
 * is the right answer to bad input. So every harness is linked with
 * -Wl,--wrap=exit: while fuzz_call() runs, exit() jumps back to it
 * instead of ending the process (see fuzz.c).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* Calls fn(arg); returns -1 if it returned, or the status it passed to
 * exit() (through die() and friends). Whatever fn allocated before it
 * died is not freed: run such a harness with -detect_leaks=0. */
int fuzz_call(void (*fn)(void *), void *arg);

/* Once per process: a scratch directory of its own, and its path. As
 * root it is a private tmpfs (nodev, nosuid, 64 MB) in a mount
 * namespace of our own, so that a fuzzed archive can neither make a
 * device node it could open nor fill the disk; otherwise a plain
 * directory under $TMPDIR. It goes at exit. A file written there may
 * not grow past 16 MB (RLIMIT_FSIZE: a write past it fails with EFBIG). */
const char *fuzz_scratch(void);
/* Notes the open fds, before a run. */
void fuzz_fds_mark(void);
/* After a run: goes back to the directory we started in, closes every
 * fd the run left open, checks that the scratch directory holds nothing
 * but the names in keep (NULL-terminated; anything else escaped the
 * directory it was unpacked in) and empties it. */
void fuzz_clean(const char *const keep[]);
/* Calls visit for each entry below dir (a path in the scratch
 * directory), without following symlinks; path is relative to dir. */
void fuzz_walk(const char *dir, void (*visit)(const char *path, const char *name, int is_dir));
/* Prints "fuzz: MSG" on stderr and aborts: a promise of the code broke. */
noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
