/* signer_main.h: `stird --signer` (signer_main.c). */
#ifndef STIR_SIGNER_MAIN_H
#define STIR_SIGNER_MAIN_H

/* argv[1] is "--signer"; returns the exit status. */
int	stir_signer_main(int argc, char **argv);

#endif
