# daemon/verify.mk: verification modules (fetcher, cert cache, cache ops)
