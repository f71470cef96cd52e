/* responder_main.c — platform-test-responder: the FastCGI accept loop. It is
 * the only file that knows libfcgi; spawn-fcgi (or systemd) hands it the
 * listening socket on fd 0, and several copies serve the same socket. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcgiapp.h>

#include "app.h"
#include "dispatch.h"
#include "log.h"
#include "timefmt.h"

struct request_buffers {
	char *path;
	char *body;
};

static void on_terminate(int signal_number)
{
	(void)signal_number;
	FCGX_ShutdownPending();
}

static int install_signals(void)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_terminate;	/* no SA_RESTART: accept() returns and the loop ends */
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGTERM, &action, NULL) != 0 || sigaction(SIGINT, &action, NULL) != 0)
		return -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	return 0;
}

static const char *param(FCGX_Request *fcgi, const char *name)
{
	return FCGX_GetParam(name, fcgi->envp);
}

/* Reads the request out of FastCGI. -1 only when memory ran out. */
static int read_request(FCGX_Request *fcgi, struct request *request, struct request_buffers *buffers)
{
	const char *uri = param(fcgi, "REQUEST_URI");
	const char *query = param(fcgi, "QUERY_STRING");
	const char *length_text = param(fcgi, "CONTENT_LENGTH");
	long long content_length = 0;

	memset(request, 0, sizeof(*request));
	request->now = timefmt_now();
	request->method = param(fcgi, "REQUEST_METHOD");
	request->content_type = param(fcgi, "CONTENT_TYPE");
	request->authorization = param(fcgi, "HTTP_AUTHORIZATION");
	request->idempotency_key = param(fcgi, "HTTP_IDEMPOTENCY_KEY");
	request->query = query ? query : "";
	if (!uri)
		uri = param(fcgi, "DOCUMENT_URI");
	buffers->path = strndup(uri ? uri : "", strcspn(uri ? uri : "", "?"));
	if (!buffers->path)
		return -1;
	request->path = buffers->path;

	if (length_text && *length_text) {
		char *end = NULL;
		errno = 0;
		content_length = strtoll(length_text, &end, 10);
		if (errno || *end || content_length < 0)
			content_length = REQUEST_BODY_MAX + 1LL;
	}
	if (content_length > REQUEST_BODY_MAX) {
		request->body_too_large = true;
		return 0;
	}
	if (content_length == 0)
		return 0;
	buffers->body = malloc((size_t)content_length);
	if (!buffers->body)
		return -1;
	request->body_length = (size_t)FCGX_GetStr(buffers->body, (int)content_length, fcgi->in);
	request->body = buffers->body;
	return 0;
}

static void write_response(FCGX_Request *fcgi, const struct response *response)
{
	char *text = NULL;
	size_t length = 0;
	if (response_serialize(response, &text, &length) != 0) {
		static const char fallback[] = "Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
		FCGX_PutStr(fallback, (int)sizeof(fallback) - 1, fcgi->out);
		return;
	}
	FCGX_PutStr(text, (int)length, fcgi->out);
	free(text);
}

static void serve(struct app *app, FCGX_Request *fcgi)
{
	struct request request;
	struct request_buffers buffers = {0};
	struct response response;
	response_init(&response);
	if (read_request(fcgi, &request, &buffers) != 0)
		response_error(&response, API_ERROR_INTERNAL, NULL, NULL);
	else
		dispatch(app, &request, &response);
	write_response(fcgi, &response);
	response_reset(&response);
	free(buffers.path);
	free(buffers.body);
}

int main(void)
{
	struct app app;
	FCGX_Request fcgi;
	char error[256];

	log_set_program("platform-test-responder");
	if (app_open(&app, SETTINGS_NEED_STORAGE | SETTINGS_NEED_SECRETS, error, sizeof(error)) != 0) {
		log_error("refusing to start: %s", error);
		return 1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, 0) != 0 || install_signals() != 0) {
		log_error("cannot initialise FastCGI");
		app_close(&app);
		return 1;
	}
	while (FCGX_Accept_r(&fcgi) >= 0) {
		serve(&app, &fcgi);
		/* Detached, Finish closes the socket at once instead of shutting it
		 * down and waiting for nginx to close first (an extra wakeup and
		 * poll per request); on a unix socket nothing written is lost. */
		FCGX_Detach(&fcgi);
		FCGX_Finish_r(&fcgi);
	}
	FCGX_Free(&fcgi, 1);
	app_close(&app);
	return 0;
}
