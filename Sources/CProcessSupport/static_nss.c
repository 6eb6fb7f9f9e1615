#include <nss.h>
#include <sys/auxv.h>

/// In a statically linked executable (scripts/package), before anything else runs: glibc's
/// user, group and host lookups use only the modules built into it, /etc files and DNS. A static
/// glibc that follows nsswitch.conf to another module (libnss_systemd on a stock Debian, sssd,
/// LDAP, myhostname) loads a second, shared libc into the process and crashes; pinned, a user
/// known only to such a module is not found, as with musl. A dynamic executable, which has an
/// interpreter (AT_BASE), keeps nsswitch.conf as it is.
__attribute__((constructor)) static void runbook_static_nss(void) {
  if (getauxval(AT_BASE) != 0) return;
  __nss_configure_lookup("passwd", "files");
  __nss_configure_lookup("group", "files");
  __nss_configure_lookup("shadow", "files");
  __nss_configure_lookup("initgroups", "files");
  __nss_configure_lookup("hosts", "files dns");
  __nss_configure_lookup("services", "files");
  __nss_configure_lookup("protocols", "files");
}
