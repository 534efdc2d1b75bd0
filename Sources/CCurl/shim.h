// libcurl's option setters are C variadic functions (curl_easy_setopt, curl_easy_getinfo), which Swift
// cannot call; these typed wrappers are the only way in. One per argument type statusd passes.
#ifndef STATUSD_CCURL_SHIM_H
#define STATUSD_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*statusd_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode statusd_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode statusd_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode statusd_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode statusd_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode statusd_curl_set_read_function(CURL *handle, statusd_curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

static inline CURLcode statusd_curl_response_code(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}

#endif
