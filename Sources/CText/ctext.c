#include "ctext.h"

#include <stdio.h>

int crick_format_scientific(double value, int digits, char *out, size_t size) {
    return snprintf(out, size, "%.*e", digits, value);
}
