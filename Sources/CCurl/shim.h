#include <curl/curl.h>

// curl_easy_setopt / curl_easy_getinfo are variadic macros-over-functions that
// Swift cannot import; these typed wrappers give Swift one entry per argument kind.

typedef size_t (*etl_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*etl_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode etl_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode etl_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode etl_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode etl_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode etl_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode etl_curl_setopt_writefunction(CURL *handle, etl_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode etl_curl_setopt_headerfunction(CURL *handle, etl_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode etl_curl_setopt_readfunction(CURL *handle, etl_curl_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

// Called about once a second even while a transfer stalls; non-zero aborts it.
static inline CURLcode etl_curl_setopt_xferinfofunction(CURL *handle, etl_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode etl_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode etl_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode etl_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// CURLVERSION_NOW is a macro naming the newest struct layout this header knows.
static inline curl_version_info_data *etl_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}
