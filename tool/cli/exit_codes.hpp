// The exit codes of every stackctl command (documented in docs/exit-codes.md).
#pragma once

namespace stackctl::cli {

enum ExitCode : int {
  kOk = 0,             // success; no errors found (warnings allowed)
  kFindings = 1,       // the stack has errors, doctor findings, or the command cannot be done as
                       // things stand (deploy without a lock, submit to a target not deployed)
  kUsage = 2,          // bad command line: unknown command or option, missing argument
  kInputError = 3,     // a file could not be read or written (stack, values, output folder)
  kExternalError = 4,  // something outside failed or refused: registry, builder, cluster (a
                       // refused credential too: doctor's D_CLUSTER_AUTH), Vault, network
  kDrift = 5,          // `drift`: what is deployed or committed no longer matches the stack
  kNoMatch = 6,        // `explain`: the text matched no entry of the error catalogue
  kRolloutFailed = 7,  // `deploy`: applied, but a workload failed or did not roll out in time
  kNotChecked = 8,     // `drift`: a check could not be made (and nothing was found drifted)
  kStillRunning = 9,   // `submit --wait`: the deadline passed; the application is still running
  kInternal = 70,      // a bug in stackctl (EX_SOFTWARE); please report it
};

}  // namespace stackctl::cli
