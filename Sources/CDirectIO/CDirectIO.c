// Headers only: see include/CDirectIO.h.
#include "CDirectIO.h"
