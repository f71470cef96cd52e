/* dispatch.h — one request through routing, authentication and its handler,
 * in the contract's order: 404/405, then 401/403, then 413, then the handler. */
#ifndef PT_DISPATCH_H
#define PT_DISPATCH_H

#include "app.h"
#include "request.h"
#include "response.h"

void dispatch(struct app *app, const struct request *request, struct response *response);

#endif
