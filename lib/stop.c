/* stop.c: SIGINT, SIGTERM and SIGHUP in a tool that must undo its work.
 *
 * A tool that changes several things in turn (unpacks files, makes
 * cgroups, adds links) must not be left half done by a Ctrl-C or a kill.
 * The handler only records the signal: a signal handler may not run the
 * undo code (it is not async-signal-safe). It is installed without
 * SA_RESTART, so a read or a wait that blocks returns EINTR, and the
 * tool reaches its next check_stop() or its error path at once. Both
 * end in exit(), so the undo handlers registered with atexit() run, and
 * the status is 128+N, as if the signal had ended the tool.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrkit.h"

volatile sig_atomic_t stop_signal;

static void record_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

void catch_stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = record_signal }, old;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < LEN(sigs); i++) {
		/* A signal the caller ignores (nohup, a background job of a
		 * script) stays ignored: we only add an undo, never a stop. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void check_stop(void)
{
	if (!stop_signal)
		return;
	warnx("stopped by SIG%s: undoing what was done", sigabbrev_np(stop_signal));
	exit(128 + stop_signal);
}
