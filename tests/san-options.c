/* san-options.c: linked into the sanitizer build only (make san).
 *
 * The sanitizers read ASAN_OPTIONS from /proc/self/environ, not from libc.
 * A process that has joined another pid namespace's mount namespace
 * (nsenter-lite -p -m -F, say) has no /proc/self there, so the options
 * are lost and the defaults apply, leak checks included, and LeakSanitizer
 * spins (see the Makefile). These defaults are compiled in instead; the
 * environment, when it can be read, still overrides them.
 *
 * Reports go to /tmp/ctrkit-san.PID rather than stderr, so that the
 * tools' own one-line messages stay as the tests expect them; a finding
 * also makes the process exit 86, and tests/zz-leaks.bats fails on any
 * report file that holds an error.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=0:exitcode=86:log_path=/tmp/ctrkit-san";
}

const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=/tmp/ctrkit-san";
}
