# SPDX-License-Identifier: GPL-2.0
# Control: the harness reports a passing test as PASS.
check "the emulated host has SVM" grep -qw svm /proc/cpuinfo
