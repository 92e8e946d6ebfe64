/* test_rcd_sign.c: placeholder, being written. */
int main(void) { return 77; }
