/* test_rcd_verify.c: placeholder, being written. */
int main(void) { return 77; }
