/*
 * Reading and writing NumPy .npy files, so that apps and tests can exchange
 * tensors with Python without a NumPy dependency on the C side.
 *
 * Format (numpy.lib.format): the magic "\x93NUMPY", a major and a minor
 * version byte, the header length (little-endian uint16 in version 1, uint32
 * in versions 2 and 3), then an ASCII Python dict literal such as
 *
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *
 * padded with spaces and ended by '\n' so that the data starts on a 64-byte
 * boundary, then the raw array data. netc reads little-endian float32 in C
 * order and writes version 1.0.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char npy_magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* numpy aligns the start of the data to this many bytes. */
#define NPY_ALIGNMENT 64

/* Generous bound on the header dict; numpy's own are under 200 bytes. It keeps
 * a corrupt length field from turning into a huge allocation. */
#define NPY_MAX_HEADER_LENGTH (1u << 20)

/* ---- Header parsing ---------------------------------------------------- */

/* The fields of the header dict netc cares about. */
typedef struct npy_header {
  char descr[32];
  int fortran_order;
  int32_t rank;
  int64_t shape[NETC_MAX_RANK];
} npy_header;

/* A cursor over the header text; `error` is set by the first failure and
 * makes every later step fail too, so callers check once at the end. */
typedef struct npy_parser {
  const char *p;
  const char *end;
  const char *error;
} npy_parser;

static void skip_space(npy_parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ++ps->p;
}

static int fail_parse(npy_parser *ps, const char *error) {
  if (ps->error == NULL)
    ps->error = error;
  return 0;
}

/* Consumes `c` (after optional whitespace) if it is next; returns whether it was. */
static int accept_char(npy_parser *ps, char c) {
  skip_space(ps);
  if (ps->error == NULL && ps->p < ps->end && *ps->p == c) {
    ++ps->p;
    return 1;
  }
  return 0;
}

static int expect_char(npy_parser *ps, char c, const char *error) {
  return accept_char(ps, c) ? 1 : fail_parse(ps, error);
}

/* Parses a quoted Python string literal without escapes into out. */
static int parse_string(npy_parser *ps, char *out, size_t capacity, const char *error) {
  skip_space(ps);
  if (ps->error != NULL || ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"'))
    return fail_parse(ps, error);
  const char quote = *ps->p++;
  size_t length = 0;
  while (ps->p < ps->end && *ps->p != quote) {
    if (length + 1 >= capacity)
      return fail_parse(ps, error);
    out[length++] = *ps->p++;
  }
  if (ps->p >= ps->end)
    return fail_parse(ps, error);
  ++ps->p; /* closing quote */
  out[length] = '\0';
  return 1;
}

static int accept_word(npy_parser *ps, const char *word) {
  skip_space(ps);
  const size_t length = strlen(word);
  if (ps->error == NULL && (size_t)(ps->end - ps->p) >= length &&
      memcmp(ps->p, word, length) == 0) {
    ps->p += length;
    return 1;
  }
  return 0;
}

/* Parses a Python tuple of non-negative ints: "()", "(3,)", "(2, 3)". */
static int parse_shape(npy_parser *ps, npy_header *h) {
  if (!expect_char(ps, '(', "'shape' is not a tuple"))
    return 0;
  h->rank = 0;
  while (!accept_char(ps, ')')) {
    if (ps->error != NULL)
      return 0;
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
      return fail_parse(ps, "'shape' holds something other than non-negative integers");
    int64_t dim = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      const int digit = *ps->p++ - '0';
      if (dim > (INT64_MAX - digit) / 10)
        return fail_parse(ps, "a 'shape' entry is too large");
      dim = dim * 10 + digit;
    }
    /* numpy writes "3L" for longs in old Python 2 files. */
    accept_char(ps, 'L');
    if (h->rank == NETC_MAX_RANK)
      return fail_parse(ps, "the array has more dims than netc supports (8)");
    h->shape[h->rank++] = dim;
    if (!accept_char(ps, ',')) {
      if (!expect_char(ps, ')', "'shape' is not a well-formed tuple"))
        return 0;
      break;
    }
  }
  return ps->error == NULL;
}

/* Parses the header dict; returns NULL on success or a description of what
 * is wrong. Like numpy, it insists on exactly the three standard keys. */
static const char *parse_header(const char *text, size_t length, npy_header *h) {
  npy_parser ps = {text, text + length, NULL};
  int have_descr = 0, have_fortran = 0, have_shape = 0;
  memset(h, 0, sizeof *h);
  expect_char(&ps, '{', "the header is not a Python dict");
  while (ps.error == NULL && !accept_char(&ps, '}')) {
    char key[32];
    if (!parse_string(&ps, key, sizeof key, "the header dict has a malformed key"))
      break;
    if (!expect_char(&ps, ':', "the header dict is missing a ':'"))
      break;
    if (strcmp(key, "descr") == 0) {
      skip_space(&ps);
      if (ps.p < ps.end && *ps.p == '[')
        return "structured dtypes are not supported; netc reads float32 ('<f4') only";
      parse_string(&ps, h->descr, sizeof h->descr, "'descr' is not a dtype string");
      have_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (accept_word(&ps, "True"))
        h->fortran_order = 1;
      else if (accept_word(&ps, "False"))
        h->fortran_order = 0;
      else
        fail_parse(&ps, "'fortran_order' is neither True nor False");
      have_fortran = 1;
    } else if (strcmp(key, "shape") == 0) {
      parse_shape(&ps, h);
      have_shape = 1;
    } else {
      fail_parse(&ps, "the header dict has an unexpected key");
    }
    if (!accept_char(&ps, ',')) {
      expect_char(&ps, '}', "the header dict is not well-formed");
      break;
    }
  }
  if (ps.error != NULL)
    return ps.error;
  if (!have_descr || !have_fortran || !have_shape)
    return "the header dict lacks 'descr', 'fortran_order' or 'shape'";
  return NULL;
}

/* ---- Reading ----------------------------------------------------------- */

static uint32_t read_le(const unsigned char *bytes, int count) {
  uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

/* Reads exactly `size` bytes or fails, telling a short file from an I/O error. */
static netc_status read_exact(FILE *f, void *dst, size_t size, const char *path, const char *what) {
  const size_t got = fread(dst, 1, size, f);
  if (got == size)
    return NETC_OK;
  if (ferror(f))
    return netc_rt_fail(NETC_ERROR_IO, "cannot read '%s': read error in %s: %s", path, what,
                        strerror(errno));
  return netc_rt_fail(NETC_ERROR_IO,
                      "cannot read '%s': file is truncated in %s (expected %zu bytes, found %zu)",
                      path, what, size, got);
}

/* Reads the preamble and header of an open file and positions it at the data. */
static netc_status read_header(FILE *f, const char *path, npy_header *h) {
  unsigned char preamble[12];
  netc_status status = read_exact(f, preamble, 8, path, "the preamble");
  if (status != NETC_OK)
    return status;
  if (memcmp(preamble, npy_magic, sizeof npy_magic) != 0)
    return netc_rt_fail(NETC_ERROR_IO, "cannot read '%s': not a .npy file (bad magic string)",
                        path);
  const int major = preamble[6], minor = preamble[7];
  /* Version 3 differs from 2 only in allowing UTF-8 in the header, which the
   * three standard keys never need. */
  int length_bytes;
  if (major == 1)
    length_bytes = 2;
  else if (major == 2 || major == 3)
    length_bytes = 4;
  else
    return netc_rt_fail(NETC_ERROR_IO, "cannot read '%s': unsupported .npy format version %d.%d",
                        path, major, minor);
  status = read_exact(f, preamble + 8, (size_t)length_bytes, path, "the preamble");
  if (status != NETC_OK)
    return status;
  const uint32_t header_length = read_le(preamble + 8, length_bytes);
  if (header_length > NPY_MAX_HEADER_LENGTH)
    return netc_rt_fail(NETC_ERROR_IO,
                        "cannot read '%s': header length %" PRIu32 " is implausibly large", path,
                        header_length);

  char *text = malloc(header_length + 1);
  if (text == NULL)
    return netc_rt_fail(NETC_ERROR_OUT_OF_MEMORY, "cannot read '%s': out of memory", path);
  status = read_exact(f, text, header_length, path, "the header");
  if (status == NETC_OK) {
    text[header_length] = '\0';
    const char *problem = parse_header(text, header_length, h);
    if (problem != NULL)
      status = netc_rt_fail(NETC_ERROR_IO, "cannot read '%s': bad .npy header: %s", path, problem);
  }
  free(text);
  return status;
}

/* Checks that the header describes an array netc can load. */
static netc_status check_header(const npy_header *h, const char *path) {
  if (strcmp(h->descr, "<f4") != 0)
    return netc_rt_fail(NETC_ERROR_IO,
                        "cannot read '%s': dtype '%s' is not supported; netc reads little-endian "
                        "float32 ('<f4') only (convert with arr.astype('<f4'))",
                        path, h->descr);
  /* With at most one dim larger than 1, both orders give the same bytes. */
  int64_t nontrivial_dims = 0;
  for (int32_t i = 0; i < h->rank; ++i)
    nontrivial_dims += h->shape[i] > 1;
  if (h->fortran_order && nontrivial_dims > 1)
    return netc_rt_fail(NETC_ERROR_IO,
                        "cannot read '%s': Fortran-order arrays are not supported; save a C-order "
                        "array (np.ascontiguousarray)",
                        path);
  return NETC_OK;
}

netc_status netc_npy_read(const char *path, netc_tensor *t) {
  if (t == NULL || path == NULL)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "netc_npy_read: %s is NULL",
                        path == NULL ? "path" : "tensor");
  /* On any failure the caller gets an empty tensor it may safely free. */
  *t = netc_tensor_f32(NULL, 0, NULL);

  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return netc_rt_fail(NETC_ERROR_IO, "cannot open '%s' for reading: %s", path, strerror(errno));

  npy_header h;
  memset(&h, 0, sizeof h);
  netc_status status = read_header(f, path, &h);
  if (status == NETC_OK)
    status = check_header(&h, path);

  netc_tensor result = netc_tensor_f32(NULL, h.rank, h.shape);
  const int64_t elements = status == NETC_OK ? netc_tensor_num_elements(&result) : 0;
  if (status == NETC_OK && (elements < 0 || (uint64_t)elements > SIZE_MAX / sizeof(float)))
    status = netc_rt_fail(NETC_ERROR_IO, "cannot read '%s': the array is too large", path);

  float *data = NULL;
  if (status == NETC_OK) {
    const size_t bytes = (size_t)elements * sizeof(float);
    /* At least one byte, so that an empty array still has non-NULL data. */
    data = malloc(bytes != 0 ? bytes : 1);
    if (data == NULL)
      status = netc_rt_fail(NETC_ERROR_OUT_OF_MEMORY,
                            "cannot read '%s': cannot allocate %zu bytes", path, bytes);
    else
      status = read_exact(f, data, bytes, path, "the array data");
  }
  if (status == NETC_OK && fgetc(f) != EOF)
    status = netc_rt_fail(NETC_ERROR_IO,
                          "cannot read '%s': unexpected bytes after the array data", path);
  fclose(f);

  if (status != NETC_OK) {
    free(data);
    return status;
  }
  result.data = data;
  *t = result;
  return NETC_OK;
}

/* ---- Writing ----------------------------------------------------------- */

/* Builds the v1.0 preamble and padded header for `t` into buf; returns its
 * length, a multiple of NPY_ALIGNMENT. */
static size_t format_header(const netc_tensor *t, char *buf, size_t capacity) {
  /* Python tuple syntax: "()", "(5,)", "(2, 3)". */
  char shape[NETC_MAX_RANK * 22 + 4];
  size_t used = (size_t)snprintf(shape, sizeof shape, "(");
  for (int32_t i = 0; i < t->rank; ++i)
    used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%" PRId64,
                             i == 0 ? "" : ", ", t->shape[i]);
  snprintf(shape + used, sizeof shape - used, t->rank == 1 ? ",)" : ")");

  const size_t preamble = sizeof npy_magic + 4; /* magic, version, uint16 length */
  size_t length = preamble + (size_t)snprintf(buf + preamble, capacity - preamble,
                                              "{'descr': '<f4', 'fortran_order': False, "
                                              "'shape': %s, }",
                                              shape);
  /* Pad with spaces so that, with the final newline, the data is aligned. */
  const size_t total = (length + 1 + NPY_ALIGNMENT - 1) / NPY_ALIGNMENT * NPY_ALIGNMENT;
  memset(buf + length, ' ', total - 1 - length);
  buf[total - 1] = '\n';

  const size_t header_length = total - preamble;
  memcpy(buf, npy_magic, sizeof npy_magic);
  buf[6] = 1; /* major */
  buf[7] = 0; /* minor */
  buf[8] = (char)(header_length & 0xff);
  buf[9] = (char)(header_length >> 8);
  return total;
}

netc_status netc_npy_write(const char *path, const netc_tensor *t) {
  if (t == NULL || path == NULL)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "netc_npy_write: %s is NULL",
                        path == NULL ? "path" : "tensor");
  if (t->dtype != NETC_F32)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT,
                        "cannot write '%s': dtype code %d is not float32", path, (int)t->dtype);
  const int64_t elements = netc_tensor_num_elements(t);
  if (elements < 0 || (uint64_t)elements > SIZE_MAX / sizeof(float))
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT,
                        "cannot write '%s': the tensor has an invalid rank or shape", path);
  if (t->data == NULL && elements != 0)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "cannot write '%s': data is NULL", path);

  /* 8 dims of up to 19 digits keep the dict far below 512 bytes. */
  char header[512];
  const size_t header_size = format_header(t, header, sizeof header);

  FILE *f = fopen(path, "wb");
  if (f == NULL)
    return netc_rt_fail(NETC_ERROR_IO, "cannot open '%s' for writing: %s", path, strerror(errno));
  const size_t bytes = (size_t)elements * sizeof(float);
  int ok = fwrite(header, 1, header_size, f) == header_size;
  ok = ok && (bytes == 0 || fwrite(t->data, 1, bytes, f) == bytes);
  int saved_errno = errno;
  /* fclose flushes; a full disk may only show up here. */
  if (fclose(f) != 0 && ok) {
    ok = 0;
    saved_errno = errno;
  }
  if (!ok) {
    /* Do not leave a truncated file that a later read would half-trust. */
    remove(path);
    return netc_rt_fail(NETC_ERROR_IO, "cannot write '%s': %s", path, strerror(saved_errno));
  }
  return NETC_OK;
}
