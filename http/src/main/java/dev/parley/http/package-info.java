/**
 * REST over HTTP/1.1 and HTTP/2 for any Parley contract: {@link dev.parley.http.HttpTransport}
 * serves contracts under their {@link dev.parley.http.HttpRoute}s and calls them on any HTTP
 * server. The mapping is described in docs/wire-formats.md, section "HTTP".
 */
@NullMarked
package dev.parley.http;

import org.jspecify.annotations.NullMarked;
