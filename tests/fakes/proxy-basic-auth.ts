/**
 * A reverse proxy's basic auth in front of a fake model server (nginx `auth_basic` before Ollama or
 * vLLM, a real setup): a request without exactly the configured credentials never reaches the fake.
 */
import type { ServerResponse } from "node:http";
import type { RecordedRequest } from "./loopback-server.js";

export interface BasicAuth {
  user: string;
  password: string;
}

/** The 401 page nginx sends for `auth_basic`: HTML, with the challenge header. */
export function refuseWithoutBasicAuth(
  headers: RecordedRequest["headers"],
  response: ServerResponse,
  auth: BasicAuth | undefined,
): boolean {
  if (auth === undefined) return false;
  const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
  if (headers.authorization === expected) return false;
  response.writeHead(401, {
    "content-type": "text/html",
    "www-authenticate": 'Basic realm="model server"',
  });
  response.end(
    "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
  );
  return true;
}
