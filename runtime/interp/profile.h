// runtime/interp/profile.h -- op-pair counting for the interpreter's dispatch (issue 19: which pairs of internal ops
// follow each other most, to choose super-instructions). Compiled in only with -DMYRT_INTERP_PROFILE=ON (CMake), which
// makes every dispatch count (previous op, this op); a normal build has none of it. At exit the counts are appended to
// the file named by MYRT_INTERP_PROFILE_OUT as lines "COUNT FIRST SECOND" (op names, iopName). bench/op_pairs.sh
// builds such a myrt, runs the sightglass programs on it and sums the files.
// Layer: interp (internal).
#pragma once

namespace myrt::interp::profile {

// The dispatch table (handler addresses in IOp order): maps handler addresses back to ops. Called once.
void init(const void* const* table, unsigned count);
// One dispatch to `handler`.
void step(const void* handler);

}  // namespace myrt::interp::profile
