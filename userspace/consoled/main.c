// SPDX-License-Identifier: GPL-2.0
/* ultra-consoled: the console server (daemon.c). */
#include "consoled.h"

int main(int argc, char **argv)
{
	return consoled_main(argc, argv);
}
