/* The import's hot loop, compiled: an ISO 2709 record's fields, read from its directory.

   scan(chunk, base, mask, others, field_type) -> list of Field, or None

   It does what the loop in marc.py's parse_iso2709 does for a record whose text is UTF-8 (plain
   ASCII included), with the same results, and nothing else: where anything is unusual (a directory
   entry that is not a tag and nine digits, a field running past the end, text that is not UTF-8, a
   subfield code that is not a letter, digit or listed mark) it returns None, and marc.py reads the
   record again in Python, which says in one sentence what is wrong. It never raises for bad input.

   mask: 1,000 bytes, non-zero where a numeric tag is wanted; None for every field.
   others: the wanted tags that are not three digits, as a frozenset of bytes (or None).
   field_type: marc.Field, called as Field(tag, value, indicators, subfields). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static PyObject *numeric_tags[1000]; /* "000".."999", made once */
static PyObject *one_char[128];      /* the ASCII characters as one-character strings */
static PyObject *two_spaces;         /* the indicators of a field that has none */
static PyObject *empty;

static int digits(const unsigned char *p, Py_ssize_t n, Py_ssize_t *out) {
    Py_ssize_t v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 1;
}

/* The subfield codes marc.py accepts: ASCII letters, digits and !#$%&*+-./:;<=>?@_ */
static int code_ok(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
    return c != 0 && strchr("!#$%&*+-./:;<=>?@_", c) != NULL;
}

static PyObject *decode(const unsigned char *p, Py_ssize_t n) {
    if (n == 0) {
        Py_INCREF(empty);
        return empty;
    }
    return PyUnicode_DecodeUTF8((const char *)p, n, "strict");
}

/* A new reference to the field's indicators, from the text before its first subfield mark, as
   marc.py takes them: the text when it is two characters, else padded or cut to two. */
static PyObject *indicators_of(const unsigned char *p, Py_ssize_t n) {
    if (n == 0) {
        Py_INCREF(two_spaces);
        return two_spaces;
    }
    PyObject *head = decode(p, n);
    if (head == NULL) return NULL;
    Py_ssize_t len = PyUnicode_GET_LENGTH(head);
    if (len == 2) return head;
    PyObject *result;
    if (len > 2) {
        result = PyUnicode_Substring(head, 0, 2);
    } else {
        result = PyUnicode_Concat(head, one_char[' ']);
    }
    Py_DECREF(head);
    return result;
}

/* A new list of (code, value) tuples for a data field's bytes, or NULL with an exception set.
   Sets *bad when a code is not one marc.py accepts (no exception then). */
static PyObject *subfields_of(const unsigned char *p, Py_ssize_t n, PyObject **indicators, int *bad) {
    const unsigned char *mark = memchr(p, 0x1f, n);
    Py_ssize_t head_len = mark ? mark - p : n;
    PyObject *list = PyList_New(0);
    if (list == NULL) return NULL;
    *indicators = indicators_of(p, head_len);
    if (*indicators == NULL) goto fail;
    const unsigned char *end = p + n;
    while (mark != NULL) {
        const unsigned char *start = mark + 1;
        const unsigned char *next = start < end ? memchr(start, 0x1f, end - start) : NULL;
        const unsigned char *stop = next ? next : end;
        if (stop > start) {
            if (!code_ok(*start)) {
                *bad = 1;
                goto fail;
            }
            PyObject *value = decode(start + 1, stop - start - 1);
            if (value == NULL) goto fail;
            PyObject *pair = PyTuple_Pack(2, one_char[*start], value);
            Py_DECREF(value);
            if (pair == NULL) goto fail;
            int appended = PyList_Append(list, pair);
            Py_DECREF(pair);
            if (appended < 0) goto fail;
        } else if (next != NULL) {
            /* "\x1f\x1f": the character after a mark is a mark, which marc.py refuses. */
            *bad = 1;
            goto fail;
        }
        mark = next;
    }
    return list;
fail:
    Py_XDECREF(*indicators);
    *indicators = NULL;
    Py_DECREF(list);
    return NULL;
}

static PyObject *scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "scan(chunk, base, mask, others, field_type)");
        return NULL;
    }
    PyObject *chunk_obj = args[0], *mask_obj = args[2], *others = args[3], *field_type = args[4];
    if (!PyBytes_Check(chunk_obj)) {
        PyErr_SetString(PyExc_TypeError, "chunk must be bytes");
        return NULL;
    }
    Py_ssize_t base = PyLong_AsSsize_t(args[1]);
    if (base == -1 && PyErr_Occurred()) return NULL;
    const unsigned char *mask = NULL;
    if (mask_obj != Py_None) {
        if (!PyBytes_Check(mask_obj) || PyBytes_GET_SIZE(mask_obj) != 1000) {
            PyErr_SetString(PyExc_TypeError, "mask must be 1000 bytes");
            return NULL;
        }
        mask = (const unsigned char *)PyBytes_AS_STRING(mask_obj);
    }
    const unsigned char *chunk = (const unsigned char *)PyBytes_AS_STRING(chunk_obj);
    Py_ssize_t size = PyBytes_GET_SIZE(chunk_obj);
    if (base <= 24 || base >= size || chunk[base - 1] != 0x1e) Py_RETURN_NONE;
    Py_ssize_t dir_len = base - 1 - 24;
    if (dir_len <= 0 || dir_len % 12) Py_RETURN_NONE;
    /* The whole directory first, as marc.py checks it before reading any field. */
    for (Py_ssize_t at = 24; at < base - 1; at += 12) {
        const unsigned char *e = chunk + at;
        Py_ssize_t ignored;
        if (e[0] < 0x20 || e[0] > 0x7e || e[1] < 0x20 || e[1] > 0x7e || e[2] < 0x20 || e[2] > 0x7e)
            Py_RETURN_NONE;
        if (!digits(e + 3, 9, &ignored)) Py_RETURN_NONE;
    }
    PyObject *fields = PyList_New(0);
    if (fields == NULL) return NULL;
    for (Py_ssize_t at = 24; at < base - 1; at += 12) {
        const unsigned char *e = chunk + at;
        Py_ssize_t number = -1, length, start;
        if (!digits(e, 3, &number)) number = -1;
        if (number >= 0) {
            if (mask != NULL && !mask[number]) continue;
        } else if (mask != NULL) {
            if (others == Py_None) continue;
            PyObject *tag_bytes = PyBytes_FromStringAndSize((const char *)e, 3);
            if (tag_bytes == NULL) goto fail;
            int wanted = PySet_Contains(others, tag_bytes);
            Py_DECREF(tag_bytes);
            if (wanted < 0) goto fail;
            if (!wanted) continue;
        }
        digits(e + 3, 4, &length);
        digits(e + 7, 5, &start);
        start += base;
        Py_ssize_t end = start + length;
        if (end > size) goto unusual;
        if (end > start && chunk[end - 1] == 0x1e) end--;
        PyObject *tag;
        if (number >= 0) {
            tag = numeric_tags[number];
            Py_INCREF(tag);
        } else {
            tag = PyUnicode_DecodeASCII((const char *)e, 3, "strict");
            if (tag == NULL) goto fail;
        }
        PyObject *field;
        Py_ssize_t n = end > start ? end - start : 0;
        if (number >= 0 && number < 10) {
            PyObject *value = decode(chunk + start, n);
            if (value == NULL) {
                Py_DECREF(tag);
                if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) goto unusual;
                goto fail;
            }
            PyObject *call[2] = {tag, value};
            field = PyObject_Vectorcall(field_type, call, 2, NULL);
            Py_DECREF(value);
        } else {
            PyObject *indicators = NULL;
            int bad = 0;
            PyObject *subfields = subfields_of(chunk + start, n, &indicators, &bad);
            if (subfields == NULL) {
                Py_DECREF(tag);
                if (bad) goto unusual;
                if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) goto unusual;
                goto fail;
            }
            PyObject *call[4] = {tag, empty, indicators, subfields};
            field = PyObject_Vectorcall(field_type, call, 4, NULL);
            Py_DECREF(indicators);
            Py_DECREF(subfields);
        }
        Py_DECREF(tag);
        if (field == NULL) goto fail;
        int appended = PyList_Append(fields, field);
        Py_DECREF(field);
        if (appended < 0) goto fail;
    }
    return fields;
unusual:
    PyErr_Clear();
    Py_DECREF(fields);
    Py_RETURN_NONE;
fail:
    Py_DECREF(fields);
    return NULL;
}

static PyMethodDef methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scan, METH_FASTCALL,
     "scan(chunk, base, mask, others, field_type) -> the record's fields, or None to read it in Python"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_marcscan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__marcscan(void) {
    char tag[4];
    for (int i = 0; i < 1000; i++) {
        snprintf(tag, sizeof tag, "%03d", i);
        numeric_tags[i] = PyUnicode_InternFromString(tag);
        if (numeric_tags[i] == NULL) return NULL;
    }
    for (int c = 0; c < 128; c++) {
        char s[1] = {(char)c};
        one_char[c] = PyUnicode_DecodeASCII(s, 1, "strict");
        if (one_char[c] == NULL) return NULL;
    }
    two_spaces = PyUnicode_InternFromString("  ");
    empty = PyUnicode_InternFromString("");
    if (two_spaces == NULL || empty == NULL) return NULL;
    return PyModule_Create(&module);
}
