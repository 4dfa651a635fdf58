// libBigWig has no pkg-config file; NOCURL keeps bigWigIO.h from pulling in curl.
#ifndef CRICK_CBIGWIG_SHIM_H
#define CRICK_CBIGWIG_SHIM_H
#define NOCURL 1
#include <bigWig.h>
#endif
