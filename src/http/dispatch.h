/* SPDX-License-Identifier: ISC */
/* dispatch.h — one request through routing, authentication and its handler,
 * in the contract's order: 404/405, then 401/403, then 413, then the handler. */
#ifndef PT_DISPATCH_H
#define PT_DISPATCH_H

#include "app/app.h"
#include "http/request.h"
#include "http/response.h"

/* Returns the endpoint the request was routed to, ENDPOINT__COUNT when none
 * (404, 405): the route the metrics count it under. */
enum endpoint dispatch(struct app *app, const struct request *request, struct response *response);

#endif
