# Warning, hardening, sanitizer and fuzzing flags for stird.
# Each flag is probed; a compiler that lacks one simply does without it.

AC_DEFUN([STIR_TRY_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  stir_save_CFLAGS="$CFLAGS"
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $2="$$2 $1"], [AC_MSG_RESULT([no])])
  CFLAGS="$stir_save_CFLAGS"
])

AC_DEFUN([STIR_TRY_LDFLAG], [
  AC_MSG_CHECKING([whether the linker accepts $1])
  stir_save_LDFLAGS="$LDFLAGS"
  LDFLAGS="$LDFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $2="$$2 $1"], [AC_MSG_RESULT([no])])
  LDFLAGS="$stir_save_LDFLAGS"
])

AC_DEFUN([STIR_WARN_CFLAGS], [
  AC_ARG_ENABLE([werror],
    [AS_HELP_STRING([--enable-werror], [treat warnings as errors (CI does)])],
    [], [enable_werror=no])
  WARN_CFLAGS=""
  for f in -std=c17 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wvla -Wwrite-strings \
           -Werror=implicit -Wno-unused-parameter; do
    STIR_TRY_CFLAG([$f], [WARN_CFLAGS])
  done
  AS_IF([test "x$enable_werror" = "xyes"], [WARN_CFLAGS="$WARN_CFLAGS -Werror"])
  AC_SUBST([WARN_CFLAGS])
])

AC_DEFUN([STIR_HARDEN_FLAGS], [
  HARDEN_CFLAGS=""
  HARDEN_LDFLAGS=""
  for f in -fstack-protector-strong -fno-strict-aliasing -ftrivial-auto-var-init=zero \
           -fstack-clash-protection; do
    STIR_TRY_CFLAG([$f], [HARDEN_CFLAGS])
  done
  dnl _FORTIFY_SOURCE needs optimisation; only add it when it will not warn.
  AS_CASE([" $CFLAGS "], [*" -O0 "*], [], [
    STIR_TRY_CFLAG([-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2], [HARDEN_CFLAGS])])
  for f in -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack; do
    STIR_TRY_LDFLAG([$f], [HARDEN_LDFLAGS])
  done
  AC_SUBST([HARDEN_CFLAGS])
  AC_SUBST([HARDEN_LDFLAGS])
])

AC_DEFUN([STIR_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build everything with ASan and UBSan])],
    [], [enable_sanitizers=no])
  SAN_CFLAGS=""
  SAN_LDFLAGS=""
  AS_IF([test "x$enable_sanitizers" != "xno"], [
    SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
    SAN_LDFLAGS="-fsanitize=address,undefined"
  ])
  AC_SUBST([SAN_CFLAGS])
  AC_SUBST([SAN_LDFLAGS])
])

AC_DEFUN([STIR_FUZZING], [
  AC_ARG_ENABLE([fuzzing],
    [AS_HELP_STRING([--enable-fuzzing], [build libFuzzer targets (needs clang)])],
    [], [enable_fuzzing=no])
  FUZZ_CFLAGS=""
  AS_IF([test "x$enable_fuzzing" = "xyes"], [
    AC_MSG_CHECKING([whether $CC can build libFuzzer targets])
    stir_save_CFLAGS="$CFLAGS"
    stir_save_LDFLAGS="$LDFLAGS"
    CFLAGS="$CFLAGS -fsanitize=fuzzer"
    LDFLAGS="$LDFLAGS -fsanitize=fuzzer"
    AC_LINK_IFELSE([AC_LANG_SOURCE([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
]])], [AC_MSG_RESULT([yes])],
      [AC_MSG_RESULT([no]); AC_MSG_ERROR([--enable-fuzzing needs clang with libFuzzer: CC=clang and libclang-rt-14-dev])])
    CFLAGS="$stir_save_CFLAGS"
    LDFLAGS="$stir_save_LDFLAGS"
    FUZZ_CFLAGS="-fsanitize=fuzzer"
  ])
  AC_SUBST([FUZZ_CFLAGS])
  AM_CONDITIONAL([ENABLE_FUZZING], [test "x$enable_fuzzing" = "xyes"])
])
