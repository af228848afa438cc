// Must not compile: the test events_bad_name_does_not_compile expects the compiler to reject
// the name with the rule's function in its message (include/coretel/events/names.h).
#include "coretel/events/emit.h"

void emit_a_bad_name() {
  CORETEL_INFO("Syslog Start");
}
