/* Paths rssp-tool needs: the home folder, the installed module (docs/tool.md). */
#ifndef RSSP_TOOL_PATHS_H
#define RSSP_TOOL_PATHS_H

#include <stddef.h>

/* The home folder: $HOME if absolute, else the password database. malloc'ed or NULL. */
char *tool_home_dir(void);

/* a + "/" + b, malloc'ed or NULL. */
char *tool_path_join(const char *a, const char *b);

/*
 * The installed module: <prefix>/<libdir>/pkcs11/rssp-pkcs11.so, where
 * <prefix> is the folder above the one rssp-tool runs from when that is
 * <prefix>/<bindir>, else the install prefix the tool was built for.
 * malloc'ed or NULL.
 */
char *tool_default_module_path(void);

/*
 * path made absolute (against the working folder; symbolic links are kept),
 * after checking that it is a regular file that loads as a PKCS#11 module
 * (dlopen, C_GetFunctionList). malloc'ed, or NULL and err.
 */
char *tool_check_module(const char *path, char *err, size_t err_len);

#endif
