#ifndef CRICK_CTEXT_H
#define CRICK_CTEXT_H

#include <stddef.h>

/// Writes `value` as C's printf "%.<digits>e" (d.ddde+XX) into `out` (NUL-terminated, at most
/// `size` bytes); returns the length printf reports. A direct call: Swift's String(format:)
/// and withVaList box every argument, which costs more than the formatting in large tables.
int crick_format_scientific(double value, int digits, char *out, size_t size);

#endif
