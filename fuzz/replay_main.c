/* SPDX-License-Identifier: ISC */
/* replay_main.c — runs a fuzz target without libFuzzer, as a `make check`
 * test: every file of fuzz/corpus/TARGET/ and fuzz/regressions/TARGET/ (or the
 * files and directories named on the command line) goes through
 * LLVMFuzzerTestOneInput once. A finding aborts (FUZZ_ASSERT) or is reported
 * by the sanitizers / valgrind of the build it runs in.
 * FUZZ_TARGET (the target's name) comes from the build; the source directory
 * from $PT_SRCDIR (set by make check), else ".". */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the fuzz target"
#endif

/* Weak, as libFuzzer looks it up: a target without one still links. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned replayed;

static int replay_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, capacity = 0;
	int result = -1;

	if (!file) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (size == capacity) {
			uint8_t *bigger;

			capacity = capacity ? capacity * 2 : 4096;
			bigger = realloc(data, capacity);
			if (!bigger)
				goto out;
			data = bigger;
		}
		got = fread(data + size, 1, capacity - size, file);
		size += got;
		if (got == 0)
			break;
	}
	if (ferror(file))
		goto out;
	/* The exact size, so an overread is caught by ASan or valgrind. */
	{
		uint8_t *exact = malloc(size ? size : 1);

		if (!exact)
			goto out;
		memcpy(exact, data, size);
		LLVMFuzzerTestOneInput(exact, size);
		free(exact);
	}
	replayed++;
	result = 0;
out:
	if (result != 0)
		fprintf(stderr, "%s: cannot read\n", path);
	free(data);
	(void)fclose(file);	/* read-only: nothing to lose */
	return result;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of directory, in name order; a missing one is empty. */
static int replay_directory(const char *directory)
{
	DIR *dir = opendir(directory);
	struct dirent *entry;
	char **names = NULL;
	size_t count = 0, capacity = 0;
	int result = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -1;
	while ((entry = readdir(dir)) != NULL) {
		char *path;

		if (entry->d_name[0] == '.')
			continue;
		if (count == capacity) {
			char **bigger;

			capacity = capacity ? capacity * 2 : 64;
			bigger = realloc(names, capacity * sizeof(*names));
			if (!bigger) {
				result = -1;
				break;
			}
			names = bigger;
		}
		size_t path_size = strlen(directory) + strlen(entry->d_name) + 2;

		path = malloc(path_size);
		if (!path) {
			result = -1;
			break;
		}
		snprintf(path, path_size, "%s/%s", directory, entry->d_name);
		names[count++] = path;
	}
	closedir(dir);
	if (count)
		qsort(names, count, sizeof(*names), compare_names);
	for (size_t i = 0; i < count; i++) {
		struct stat info;

		if (result == 0 && stat(names[i], &info) == 0 && S_ISREG(info.st_mode) &&
		    replay_file(names[i]) != 0)
			result = -1;
		free(names[i]);
	}
	free(names);
	return result;
}

static int replay_path(const char *path)
{
	struct stat info;

	if (stat(path, &info) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(info.st_mode) ? replay_directory(path) : replay_file(path);
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("PT_SRCDIR");
	static const char *const kinds[] = {"corpus", "regressions"};
	int result = 0;

	if (LLVMFuzzerInitialize && LLVMFuzzerInitialize(&argc, &argv) != 0)
		return 1;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i]) != 0)
				result = 1;
	} else {
		if (!srcdir || !*srcdir)
			srcdir = ".";
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			char directory[4096];

			snprintf(directory, sizeof(directory), "%s/fuzz/%s/%s", srcdir, kinds[k], FUZZ_TARGET);
			if (replay_directory(directory) != 0) {
				fprintf(stderr, "%s: cannot replay\n", directory);
				result = 1;
			}
		}
		if (replayed == 0) {
			fprintf(stderr, "%s: no inputs found under %s/fuzz\n", FUZZ_TARGET, srcdir);
			result = 1;
		}
	}
	printf("%s: %u inputs replayed%s\n", FUZZ_TARGET, replayed, result ? ", with errors" : "");
	return result;
}
