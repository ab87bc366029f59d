/*
 * Differential oracle: the kernel's own parse_args/next_arg/param_ops_* (Linux 6.1, extracted unchanged
 * into kernel-extract.c at build time) driven over stdin.
 *
 * Request: one command byte, then its fields, each a u32 little-endian length and that many bytes
 * (length 0xffffffff: a NULL pointer).
 *   'T' input               -> parse_args with no parameters; every argument reaches the unknown hook
 *                              "name:value,name:value;rest" (hex bytes, '~' for NULL)
 *   'V' type value          -> parse_one on one parameter of that type, then its ops->get
 *                              "rc hex(get output)"
 *   'L' declarations args   -> parse_args over "name:type name:type ..." as load_module calls it
 *                              "rc;unknown,unknown;hex(get),hex(get)..."
 * One '\n'-terminated answer per request, in order.
 */
#include "shim.h"
#include "kernel-extract.c"

static char *pointer(const char *fmt, char *buf, char *end, void *ptr, struct printf_spec spec)
{
	(void)fmt; (void)end; (void)ptr; (void)spec;
	return buf;
}

static void put_hex(const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		putchar(digits[(unsigned char)s[i] >> 4]);
		putchar(digits[(unsigned char)s[i] & 15]);
	}
}

static void put_hex_or_null(const char *s)
{
	if (s)
		put_hex(s, strlen(s));
	else
		putchar('~');
}

struct field { char *data; bool null; };

static unsigned char *input;
static size_t input_len, input_pos;

static bool read_field(struct field *f)
{
	if (input_pos + 4 > input_len)
		return false;
	uint32_t len = input[input_pos] | input[input_pos + 1] << 8 | input[input_pos + 2] << 16 |
		       (uint32_t)input[input_pos + 3] << 24;
	input_pos += 4;
	if (len == 0xffffffffu) {
		f->data = NULL;
		f->null = true;
		return true;
	}
	if (input_pos + len > input_len)
		return false;
	f->data = malloc(len + 1);
	memcpy(f->data, input + input_pos, len);
	f->data[len] = '\0';
	f->null = false;
	input_pos += len;
	return true;
}

static const struct { const char *name; const struct kernel_param_ops *ops; size_t size; } scalars[] = {
	{ "byte", &param_ops_byte, sizeof(unsigned char) },
	{ "short", &param_ops_short, sizeof(short) },
	{ "ushort", &param_ops_ushort, sizeof(unsigned short) },
	{ "int", &param_ops_int, sizeof(int) },
	{ "uint", &param_ops_uint, sizeof(unsigned int) },
	{ "long", &param_ops_long, sizeof(long) },
	{ "ulong", &param_ops_ulong, sizeof(unsigned long) },
	{ "ullong", &param_ops_ullong, sizeof(unsigned long long) },
	{ "hexint", &param_ops_hexint, sizeof(unsigned int) },
	{ "charp", &param_ops_charp, sizeof(char *) },
	{ "bool", &param_ops_bool, sizeof(bool) },
	{ "invbool", &param_ops_invbool, sizeof(bool) },
	{ "bint", &param_ops_bint, sizeof(int) },
	{ "bool_enable_only", &param_ops_bool_enable_only, sizeof(bool) },
};

static int scalar_index(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (strlen(scalars[i].name) == len && memcmp(scalars[i].name, name, len) == 0)
			return (int)i;
	fprintf(stderr, "oracle: unknown type %.*s\n", (int)len, name);
	exit(2);
}

/* Set up kp for a type spelled "int", "string:N" or "array:T:N", with zeroed storage. */
static void make_param(struct kernel_param *kp, const char *name, const char *type)
{
	memset(kp, 0, sizeof(*kp));
	kp->name = name;
	if (strncmp(type, "string:", 7) == 0) {
		struct kparam_string *kps = calloc(1, sizeof(*kps));
		kps->maxlen = (unsigned int)strtoul(type + 7, NULL, 10);
		kps->string = calloc(kps->maxlen + 1, 1);
		kp->ops = &param_ops_string;
		kp->str = kps;
	} else if (strncmp(type, "array:", 6) == 0) {
		const char *elem = type + 6, *colon = strchr(elem, ':');
		int i = scalar_index(elem, (size_t)(colon - elem));
		struct kparam_array *arr = calloc(1, sizeof(*arr));
		arr->max = (unsigned int)strtoul(colon + 1, NULL, 10);
		arr->elemsize = (unsigned int)scalars[i].size;
		arr->num = calloc(1, sizeof(unsigned int));
		arr->ops = scalars[i].ops;
		arr->elem = calloc(arr->max + 1, 8);
		kp->ops = &param_array_ops;
		kp->arr = arr;
	} else {
		int i = scalar_index(type, strlen(type));
		kp->ops = scalars[i].ops;
		kp->arg = calloc(1, 8);
	}
}

static void put_get(const struct kernel_param *kp)
{
	static char buffer[PAGE_SIZE * 4];
	int n = kp->ops->get(buffer, kp);
	if (n >= 0)
		put_hex(buffer, (size_t)n);
}

static char unknown[1 << 16];
static size_t unknown_len;

static int record_unknown(char *param, char *val, const char *doing, void *arg)
{
	(void)val; (void)doing; (void)arg;
	size_t n = strlen(param);
	if (unknown_len + 2 * n + 2 < sizeof(unknown)) {
		if (unknown_len)
			unknown[unknown_len++] = ',';
		for (size_t i = 0; i < n; i++)
			unknown_len += (size_t)sprintf(unknown + unknown_len, "%02x", (unsigned char)param[i]);
	}
	return 0;
}

static int print_arg(char *param, char *val, const char *doing, void *arg)
{
	bool *first = arg;
	(void)doing;
	if (!*first)
		putchar(',');
	*first = false;
	put_hex_or_null(param);
	putchar(':');
	put_hex_or_null(val);
	return 0;
}

int main(void)
{
	size_t cap = 1 << 20;
	input = malloc(cap);
	for (size_t n; (n = fread(input + input_len, 1, cap - input_len, stdin)) > 0;) {
		input_len += n;
		if (input_len == cap)
			input = realloc(input, cap *= 2);
	}
	while (input_pos < input_len) {
		char cmd = (char)input[input_pos++];
		struct field a, b;
		if (cmd == 'T' && read_field(&a)) {
			bool first = true;
			char *rest = parse_args("oracle", a.data, NULL, 0, 0, 0, &first, print_arg);
			putchar(';');
			put_hex_or_null(IS_ERR(rest) ? NULL : rest);
		} else if (cmd == 'V' && read_field(&a) && read_field(&b)) {
			struct kernel_param kp;
			make_param(&kp, "p", a.data);
			int rc = parse_one("p", b.data, "oracle", &kp, 1, -32768, 32767, NULL, NULL);
			printf("%d ", rc);
			if (rc == 0)
				put_get(&kp);
		} else if (cmd == 'L' && read_field(&a) && read_field(&b)) {
			struct kernel_param kps[64];
			unsigned int n = 0;
			for (char *decl = strtok(a.data, " "); decl && n < 64; decl = strtok(NULL, " ")) {
				char *colon = strchr(decl, ':');
				*colon = '\0';
				make_param(&kps[n++], decl, colon + 1);
			}
			unknown_len = 0;
			char *ret = parse_args("oracle", b.data, kps, n, -32768, 32767, NULL, record_unknown);
			printf("%ld;%.*s;", IS_ERR(ret) ? PTR_ERR(ret) : 0L, (int)unknown_len, unknown);
			for (unsigned int i = 0; i < n; i++) {
				if (i)
					putchar(',');
				put_get(&kps[i]);
			}
		} else {
			fprintf(stderr, "oracle: bad request at byte %zu\n", input_pos);
			return 2;
		}
		putchar('\n');
	}
	return 0;
}
