// The rules of `stackctl check` that judge how the platform runs rather than its versions,
// listed in kRules by check.cpp:
//   - SC025, SC026: a pod's memory or CPU request (core/budget: the Connect server's driver, a
//     client-mode notebook, Kyuubi's server and engines, one executor) larger than what one node
//     of the target gives pods (targets[].nodeAllocatable): the scheduler never places it
//     (FailedScheduling: Insufficient memory / cpu). Only for the target the stack was loaded for,
//     and only when that target declares its node;
//   - SC027: on an eks target whose S3 access goes through IRSA (no objectStore.credentialsSecret:
//     render sets fs.s3a.aws.credentials.provider to the web identity provider), spark.env keys
//     with AWS access keys are dead configuration: S3A asks only the provider it is given.
//   - SC029: a client-mode application whose driver runs outside the cluster (client.runsIn:
//     outside) with no driverHost, or one executors cannot route to (loopback, unspecified,
//     link-local): its executors never connect back (running-on-kubernetes.md, "Client Mode
//     Networking": the driver's hostname and port must be routable from the executors).
// Pure, no I/O; never a value of a spark.env key in a message.
#pragma once

#include "core/knowledge/check.hpp"

namespace stackctl::check::detail {

void sc025(const Facts& f, rules::Report<Finding>& r);
void sc026(const Facts& f, rules::Report<Finding>& r);
void sc027(const Facts& f, rules::Report<Finding>& r);
void sc029(const Facts& f, rules::Report<Finding>& r);

}  // namespace stackctl::check::detail
