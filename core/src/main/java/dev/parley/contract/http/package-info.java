/**
 * How a contract method maps to HTTP, for the REST transport. Annotations live here, in core,
 * so that a contract package does not depend on the HTTP module.
 *
 * <ul>
 *   <li>Every route starts with the contract's major version: {@code /v1/...}.</li>
 *   <li>{@link Get}, {@link Post}, {@link Put}, {@link Patch}, {@link Delete} give the verb and the
 *       path template. Without one, a method is {@code POST /v<major>/<contract-name>/<method>}.</li>
 *   <li>Path variables ({@code {id}}) are fields of the request record. For GET and DELETE the
 *       other fields come from the query string, so they must be scalars or lists of scalars;
 *       for POST, PUT and PATCH the body is the request record, and path variables fill or
 *       override its fields.</li>
 *   <li>Status codes: 200 with the reply; 204 for a method without reply; {@link Created} gives
 *       201 with {@code Location}; a one-way method gives 202 and no body.</li>
 *   <li>{@link Link} renders hypermedia links in the reply.</li>
 * </ul>
 */
@NullMarked
package dev.parley.contract.http;

import org.jspecify.annotations.NullMarked;
