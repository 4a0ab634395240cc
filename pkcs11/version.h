/* Identity strings and versions the module reports. */
#ifndef RSSP_P11_VERSION_H
#define RSSP_P11_VERSION_H

#define P11_MANUFACTURER "rssp-pkcs11"
#define P11_LIBRARY_DESCRIPTION "RSSP remote signing"
#define P11_VERSION_MAJOR 0
#define P11_VERSION_MINOR 1

#endif
