/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause's command line, kept apart from what it starts so the fuzzer can
 * run it alone. Pause mode takes -v, --help and --version and ignores the
 * rest, as upstream does; init mode (-- CMD, or an init option first)
 * takes -g, -r, -e, --grace and PAUSE_* from the environment.
 */
#include "pause.h"

#include "../lib/msg.h"
#include "../lib/parse.h"

/* "pause: cannot parse <what>: '<arg>' <why>", then exit 125. */
static int bad_usage(const char *what, const char *arg, const char *why)
{
	struct msg m = { 0 };

	msg_str(&m, "pause: cannot parse ");
	msg_str(&m, what);
	msg_str(&m, ": '");
	msg_str(&m, arg);
	msg_str(&m, "' ");
	msg_str(&m, why);
	msg_flush(&m, 2);
	return EXIT_INIT_FAILURE;
}

/* Upstream prints the version if any argument is -v, case-insensitively. */
static int is_version_flag(const char *arg)
{
	return arg[0] == '-' && (arg[1] | 0x20) == 'v' && arg[2] == '\0';
}

static int is_init_option(const char *arg)
{
	return str_eq(arg, "-g") || str_eq(arg, "-r") || str_eq(arg, "-e") ||
	       str_eq(arg, "--grace");
}

/* A request that ends the command line's work, or @otherwise. */
static enum request classify(const char *arg, enum request otherwise)
{
	if (is_version_flag(arg))
		return REQ_VERSION;
	if (str_eq(arg, "--help"))
		return REQ_HELP;
	if (str_eq(arg, "--version"))
		return REQ_TINI_VERSION;
	return otherwise;
}

/* Pause mode takes -v, --help, --version anywhere (-v first, as upstream
 * checks it before anything else) and ignores every other argument. */
static enum request pause_request(int argc, char **argv)
{
	enum request found = REQ_PAUSE;

	for (int i = 1; i < argc; i++) {
		enum request r = classify(argv[i], REQ_PAUSE);

		if (r == REQ_VERSION)
			return r;
		if (found == REQ_PAUSE)
			found = r;
	}
	return found;
}

static int set_rewrite(struct init_opts *o, const char *arg)
{
	char from[16];
	size_t i = 0;
	int f, t;

	while (arg[i] && arg[i] != ':' && i < sizeof(from) - 1) {
		from[i] = arg[i];
		i++;
	}
	from[i] = '\0';
	if (arg[i] != ':')
		return bad_usage("-r", arg, "is not FROM:TO");
	f = parse_signal(from);
	t = str_eq(arg + i + 1, "0") ? 0 : parse_signal(arg + i + 1);
	if (f < 0 || t < 0)
		return bad_usage("-r", arg, "names an unknown signal");
	o->rewrite[f] = (unsigned char)t;
	return 0;
}

static int set_exit_zero(struct init_opts *o, const char *arg)
{
	unsigned long code;

	if (parse_uint(arg, 255, &code) < 0)
		return bad_usage("-e", arg, "is not an exit code (0-255)");
	o->exit_zero[code / 8] |= (unsigned char)(1U << (code % 8));
	return 0;
}

static int set_grace(struct init_opts *o, const char *what, const char *arg)
{
	/* a day is more than any runtime's stop timeout */
	if (parse_uint(arg, 86400, &o->grace) < 0)
		return bad_usage(what, arg, "is not a number of seconds (0-86400)");
	return 0;
}

/* Defaults from the environment, before the options override them. */
static int init_env(struct init_opts *o, char **envp)
{
	const char *v;
	int on;

	o->subreaper = 1;
	if ((v = env_get(envp, "PAUSE_GRACE")) && set_grace(o, "PAUSE_GRACE", v))
		return EXIT_INIT_FAILURE;
	if ((v = env_get(envp, "PAUSE_SUBREAPER"))) {
		if ((on = parse_switch(v)) < 0)
			return bad_usage("PAUSE_SUBREAPER", v, "is not 0/1, false/true, no/yes or off/on");
		o->subreaper = on;
	}
	if ((v = env_get(envp, "PAUSE_GROUP"))) {
		if ((on = parse_switch(v)) < 0)
			return bad_usage("PAUSE_GROUP", v, "is not 0/1, false/true, no/yes or off/on");
		o->group = on;
	}
	return 0;
}

/*
 * Init mode's command line: options, then CMD (after "--" or at the first
 * argument that is not an option). Returns 0 with o->argv set, a request
 * in *req, or an exit code.
 */
static int parse_init(int argc, char **argv, char **envp, struct init_opts *o,
		      enum request *req)
{
	int i, code;

	for (i = 0; i <= SYS_NSIG; i++)
		o->rewrite[i] = (unsigned char)i;
	o->envp = envp;
	if ((code = init_env(o, envp)))
		return code;

	*req = REQ_INIT;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (str_eq(arg, "--")) {
			i++;
			break;
		}
		if (arg[0] != '-')
			break;
		if ((*req = classify(arg, REQ_INIT)) != REQ_INIT)
			return 0;
		if (str_eq(arg, "-g")) {
			o->group = 1;
			continue;
		}
		if (!is_init_option(arg))
			return bad_usage("option", arg, "is not an option (see pause --help)");
		if (i + 1 >= argc)
			return bad_usage("option", arg, "needs a value");
		if (str_eq(arg, "-r"))
			code = set_rewrite(o, argv[++i]);
		else if (str_eq(arg, "-e"))
			code = set_exit_zero(o, argv[++i]);
		else
			code = set_grace(o, "--grace", argv[++i]);
		if (code)
			return code;
	}
	if (i >= argc)
		return bad_usage("command line", argv[i - 1], "is not followed by a command");
	o->argv = argv + i;
	return 0;
}

/* Init mode when "--" appears, or when the first argument is an init
 * option; otherwise arguments are ignored, as upstream ignores them. */
static int wants_init(int argc, char **argv)
{
	if (argc > 1 && is_init_option(argv[1]))
		return 1;
	for (int i = 1; i < argc; i++)
		if (str_eq(argv[i], "--"))
			return i + 1 < argc;	/* a bare trailing "--" is ignored */
	return 0;
}

int pause_args(int argc, char **argv, char **envp, struct init_opts *o,
	       enum request *req)
{
	if (wants_init(argc, argv))
		return parse_init(argc, argv, envp, o, req);
	*req = pause_request(argc, argv);
	return 0;
}
