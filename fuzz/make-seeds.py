#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""make-seeds.py — writes the seed corpora under fuzz/corpus/ (checked in).

Run from anywhere: python3 fuzz/make-seeds.py. It rewrites fuzz/corpus/*/
seed-* files only; inputs libFuzzer found (kept by `make fuzz-merge`) and
fuzz/regressions/ are left alone. The seeds are the contract's examples and
the issue's bad-input matrix, so fuzzing starts from every shape the API
documents and every trick it must refuse. Not part of the build.
"""
import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
# Must match fuzz_jwt.c.
JWT_SECRET = b"fuzz-secret-0123456789abcdef-0123456789"


def write(target, seeds):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.startswith("seed-"):
            os.remove(os.path.join(directory, name))
    for index, seed in enumerate(seeds):
        if isinstance(seed, str):
            seed = seed.encode("utf-8", "surrogatepass")
        with open(os.path.join(directory, "seed-%03d" % index), "wb") as f:
            f.write(seed)


def nested(depth, inner=b"1"):
    return b"[" * depth + inner + b"]" * depth


def nested_objects(depth):
    return b'{"a":' * depth + b"1" + b"}" * depth


common_bodies = [
    b"", b" ", b"{}", b" {} \n", b"[]", b"1", b"-0.5e+3", b'"string"', b"true", b"null",
    b"{", b'{"name":', b'{"name":"al', b'{"name":"alice"', b'{"name":"alice",}', b"{,}",
    b"{'name':'alice'}", b'{"name":"alice"} x', b'{"name":"alice"}{}',
    b'{"a":NaN}', b'{"a":Infinity}', b'{"a":-Infinity}', b'{"a":-01}', b'{"a":1.}',
    b'{"a":.5}', b'{"a":0x10}', b'{"a":+1}', b'{"a":1e400}', b'{"a":-1e-400}',
    b'{"a":"\x01"}', b'{"a":"\\u0000"}', b'{"a\\u0000b":1}', b'{"a":"\\ud800"}',
    b'{"a":"\\udc00"}', b'{"a":"\\ud83d\\ude00"}', b'{"a":"\\ud83d\\u0041"}',
    b'{"a":"\\x41"}', b'{"a":"\\u12"}', b'{"a":"\\', b'\xef\xbb\xbf{}',
    b'{"a":"\xff"}', b'{"a":"\xc0\xaf"}', b'{"a":"\xe0\x80\xaf"}', b'{"a":"\xf0\x80\x80\xaf"}',
    b'{"a":"\xed\xa0\x80"}', b'{"a":"\xf4\x90\x80\x80"}', b'{"a":"\xc3"}',
    b'{"a":[1,2,{"b":[true,false,null]}]}', b'{"a":{}}',
    nested(15, b"{}"), nested(16, b"{}"), nested(17), nested_objects(16), nested_objects(17),
    nested(200),
    b'{"a":1,"a":2}', b'{"a":1}\x00', b'\x00{"a":1}', b"{\"a\":1}\t\r\n ",
]

player_bodies = [
    b'{"name":"alice"}',
    b'{"name":"alice","password":"correct horse","gold":500,"silver":20,"attack":80,'
    b'"hit_points":120,"luck":5,"description":"first"}',
    b'{"name":"carol","luck":91,"hitpoints":5,"gold":-1,"attack":"70"}',
    b'{"name":"admin"}', b'{"name":"ADMIN"}', b'{"name":"a:b"}', b'{"name":""}',
    b'{"name":"12345678901234567890"}', b'{"name":"123456789012345678901"}',
    ('{"name":"%s"}' % ("\U0001F600" * 20)).encode(), ('{"name":"%s"}' % ("\U0001F600" * 21)).encode(),
    b'{"name":"\\ud800"}', b'{"name":"\\u0000"}', b'{"name":"a\\u0007b"}', b'{"name":"a\\u0085b"}',
    b'{"name":"\\u007f"}', b'{"name":"\xef\xbf\xbd"}', b'{"name":"\\ufffd","x":"\\ud800"}',
    b'{"name":"\'; DROP TABLE players;--"}', b'{"name":"Robert\'); DELETE FROM players; --"}',
    b'{"name":"x","description":""}', ('{"name":"x","description":"%s"}' % ("d" * 1000)).encode(),
    ('{"name":"x","description":"%s"}' % ("d" * 1001)).encode(),
    b'{"name":"x","description":"a\\u0000b"}',
    b'{"name":"x","gold":-1}', b'{"name":"x","gold":0}', b'{"name":"x","gold":1000000000}',
    b'{"name":"x","gold":1000000001}', b'{"name":"x","silver":1000000000}',
    b'{"name":"x","attack":0}', b'{"name":"x","attack":1}', b'{"name":"x","attack":1000}',
    b'{"name":"x","attack":1001}', b'{"name":"x","hit_points":0}', b'{"name":"x","hit_points":1000}',
    b'{"name":"x","luck":-1}', b'{"name":"x","luck":0}', b'{"name":"x","luck":90}',
    b'{"name":"x","luck":91}', b'{"name":"x","gold":99999999999999999999}',
    b'{"name":"x","gold":-99999999999999999999}', b'{"name":"x","gold":9223372036854775807}',
    b'{"name":"x","gold":9223372036854775808}', b'{"name":"x","gold":-9223372036854775808}',
    b'{"name":"x","gold":1.0}', b'{"name":"x","gold":1e3}', b'{"name":"x","gold":null}',
    b'{"name":"x","gold":true}', b'{"name":"x","gold":"5"}', b'{"name":1}', b'{"name":null}',
    b'{"name":["x"]}', b'{"name":{"x":1}}', b'{"name":"x","password":"1234567"}',
    b'{"name":"x","password":"12345678"}', ('{"name":"x","password":"%s"}' % ("p" * 128)).encode(),
    ('{"name":"x","password":"%s"}' % ("p" * 129)).encode(), b'{"name":"x","password":"1234567\\u0000"}',
    ('{"name":"x","password":"%s"}' % ("\u00e9" * 64)).encode(),
    b'{"name":"x","name":"y"}', b'{"name":"admin","name":"bob"}', b'{"name":"bob","name":"admin"}',
    b'{"name":"x","unknown":1,"other":2}', b'{"\xc3\xa9":1,"name":"x"}', b'{"\\ud800":1}',
    b'{"name":"\xe5\x90\x8d\xe5\x89\x8d"}', b'{"name":"\xf0\x9f\x98\x80"}',
]

battle_bodies = [
    b'{"attacker_id":1,"defender_id":2}', b'{"attacker_id":1,"defender_id":1}',
    b'{"attacker_id":0,"defender_id":2}', b'{"attacker_id":-1,"defender_id":2}',
    b'{"attacker_id":1e3,"defender_id":2}', b'{"attacker_id":99999999999999999999,"defender_id":2}',
    b'{"attacker_id":9007199254740991,"defender_id":9007199254740990}',
    b'{"attacker_id":9007199254740992,"defender_id":2}', b'{"attacker_id":"1","defender_id":2}',
    b'{"attacker_id":1.5,"defender_id":2}', b'{"attacker_id":null,"defender_id":2}',
    b'{"attacker_id":1}', b'{"defender_id":2}', b'{}', b'{"attacker_id":1,"defender_id":2,"x":3}',
    b'{"attacker_id":1,"defender_id":2,"attacker_id":3}', b'{"attacker_id":[1],"defender_id":{"a":2}}',
    b'{"attacker_id":true,"defender_id":false}', b'{"attacker_id":-9223372036854775808,"defender_id":2}',
]

media_types = [
    "application/json", "APPLICATION/JSON", "application/json; charset=utf-8",
    "application/json;charset=UTF-8", 'application/json ; charset="utf-8"', "application/json; charset=utf8",
    "  application/json  ", "application/json;", "\tapplication/json\t;\tcharset=utf-8",
    "application/json; foo=bar; charset=utf-8", 'application/json; foo="a;b"', 'application/json; a="\\"x"',
    "", " ", "application/jsonx", "text/json", "application/json+x", "application/problem+json",
    "application/x-www-form-urlencoded", "text/plain", "application/json; charset=iso-8859-1",
    'application/json; charset="latin1"', "application/json; charset", "application/json; charset=",
    "application/json x", 'application/json; charset="utf-8', "application/json, text/plain",
    'application/json; a="\\', "application/json;;", "application/json; =x", "multipart/form-data; boundary=x",
]

idempotency_keys = [
    "k", "retry-1", "a" * 255, "a" * 256, "with space", "tab\there", "\x7f", "\x20", "\x21\x7e",
    b"caf\xc3\xa9", "", "abc\x00def", "01234567-89ab-cdef-0123-456789abcdef",
]

queries = [
    "", "limit=10", "limit=10&offset=0", "limit=1", "limit=100", "limit=0", "limit=101",
    "around=5&limit=3", "around=1", "around=0", "around=9223372036854775807",
    "around=9223372036854775808", "offset=1000000000000000", "offset=1000000000000001",
    "limit=%31", "limit=%3", "limit=%zz", "limit=1&limit=2", "limit=1&limit=1", "limit=",
    "limit", "&", "&&limit=2&&", "limit=-1", "limit=-0", "limit=+1", "limit=1e3", "limit=0x10",
    "limit=99999999999999999999", "limit=18446744073709551616", "limit= 1", "limit=1 ",
    "limit=007", "LIMIT=1", "%6cimit=1", "lim%69t=5", "foo=bar", "%ff=1", "%00=1", "a+b=1",
    "%C3%A9=1", "%c3=1", b"\xff=1", "\x01=1", "name=%E2%80%8B", "limit=1%00", "limit=%2B1",
    "offset=5&around=2", "limit=5&offset=5&around=5&x=1&y=2&limit=6",
]

router_inputs = [
    "GET /heartbeat", "POST /heartbeat", "DELETE /heartbeat", "POST /players", "GET /players",
    "GET /players/1", "POST /players/1", "GET /players/42/battles", "GET /players/1/battles/",
    "POST /sessions", "GET /sessions", "POST /battles", "GET /battles/7", "GET /leaderboard",
    "PUT /leaderboard", "GET /players/0", "GET /players/-1", "GET /players/1e3",
    "GET /players/99999999999999999999", "GET /players/999999999999999999",
    "GET /players/1000000000000000000", "GET /players/01", "GET /players/+1", "GET /players/1/../1",
    "GET /players/1%00", "GET //players", "GET /players//1", "GET /players/", "GET /players/1/",
    "GET /players/./1", "GET /Players/1", "GET /players/%31", "GET /heartbeat/", "GET heartbeat",
    "GET ", "GET /", "GET /leaderboard?limit=1", "get /heartbeat", "POST /battles/1", "GET /battles/1x",
    "/players/1", "GET /players/1\x00/x",
]


def basic(credentials):
    return "Basic " + base64.b64encode(credentials.encode("utf-8", "surrogatepass")).decode()


auth_headers = [
    basic("alice:correct horse"), basic("admin:secret"), basic("a:"), basic(":password"),
    basic("nocolon"), basic("user:pa:ss"), basic("\u00fcn\u00efc\u00f8d\u00e9:x"),
    basic("a\x01b:x"), "Basic YQ==", "Basic YWI=", "Basic YWJj", "Basic YR==", "Basic Y===",
    "Basic YWxpY2U6c2VjcmV0", "Basic YWxp Y2U6", "Basic", "Basic ", "basic YWxpY2U6eA==",
    "BASIC YWxpY2U6eA==", "  Basic   YWxpY2U6eA==  ", "\tBasic\tYWxpY2U6eA==",
    "Basic " + base64.b64encode(b"a:\x00b").decode(), "Basic " + base64.b64encode(b"\xff:x").decode(),
    "Basic " + base64.b64encode(b"a:\xc0\xaf").decode(), "Basic YWxpY2U6eA==\n",
    "Basic " + base64.b64encode(b"u:" + b"p" * 1022).decode(),
    "Basic " + base64.b64encode(b"u:" + b"p" * 1023).decode(),
    "Bearer abc.def.ghi", "Bearer a", "bearer abc", "Bearer", "Bearer ", "Bearer a b",
    "Bearer abc+def/ghi=", "Bearer " + "a" * 4096, "Bearer " + "a" * 4097, "Digest abc",
    "Negotiate", "", " ", "Basic\x00YQ==",
]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def part(obj):
    if isinstance(obj, (bytes, bytearray)):
        return b64url(bytes(obj))
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def token(header, payload, secret=JWT_SECRET):
    signing_input = part(header) + "." + part(payload)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


HS256 = {"alg": "HS256", "typ": "JWT"}
good = {"sub": "42", "iat": 1700000000, "exp": 1900000000}
jwt_inputs = [
    token(HS256, good), token(HS256, {"sub": "1", "iat": 0, "exp": 253402300799}),
    token(HS256, {"sub": "42", "iat": 1700000000, "exp": 1700003600}),
    token({"alg": "none", "typ": "JWT"}, good).rsplit(".", 1)[0] + ".",
    token({"alg": "HS512", "typ": "JWT"}, good), token({"alg": "hs256"}, good),
    token({"alg": "HS256", "crit": ["x"]}, good), token(HS256, good, b"wrong secret"),
    token(HS256, {"sub": 42, "iat": 1, "exp": 1900000000}), token(HS256, {"sub": "042", "iat": 1, "exp": 1900000000}),
    token(HS256, {"sub": "1", "iat": 1.5, "exp": 1900000000}), token(HS256, {"sub": "1", "iat": 5, "exp": 5}),
    token(HS256, {"sub": "1", "iat": -1, "exp": 1900000000}), token(HS256, {"sub": "1", "iat": 1, "exp": 253402300800}),
    token(HS256, b'{"sub":"1","iat":1,"exp":1900000000,"sub":"2"}'), token(HS256, b"[]"), token(HS256, b""),
    token(HS256, b'{"sub":"1","iat":1,"exp":1900000000} '), token(b'{"alg":"HS256"}\x00', good),
    "a.b.c", "a.b", "a.b.c.d", "..", ".", "", "abc", "e30.e30.", "e30.e30.e30",
    token(HS256, good) + "=",
]
# '!' inputs: "!HEADER\nPAYLOAD" as raw JSON; the target encodes and signs it (see fuzz_jwt.c).
for header, payload in [
    (HS256, good), (HS256, {"sub": "999999999999999999", "iat": 0, "exp": 253402300799}),
    (HS256, {"sub": "1000000000000000000", "iat": 0, "exp": 2}), (HS256, {"sub": "1", "iat": 3, "exp": 2}),
    (HS256, {"sub": "1", "exp": 1900000000}), (HS256, {"sub": "", "iat": 1, "exp": 1900000000}),
    (HS256, {"sub": "1", "iat": 1, "exp": 99999999999999999999}), (HS256, {"sub": "1", "iat": 1, "exp": 1800000000}),
    (HS256, b'{"sub":"1","iat":1,"exp":1900000000,"x":[[[[[[[[[[1]]]]]]]]]]}'),
    (HS256, b'{"sub":"1","iat":1,"exp":1.9e9}'), (HS256, b'{"sub":"1\\u0000","iat":1,"exp":1900000000}'),
    ({"alg": "HS256", "typ": "JWT", "kid": "x"}, good),
]:
    raw = lambda obj: obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
    jwt_inputs.append(b"!" + raw(header) + b"\n" + raw(payload))
# 24-byte claims for the sign/verify round trip.
jwt_inputs.append((42).to_bytes(8, "big") + (1700000000).to_bytes(8, "big") + (1700003600).to_bytes(8, "big"))
jwt_inputs.append((1).to_bytes(8, "big") + (0).to_bytes(8, "big") + (253402300799).to_bytes(8, "big"))

utf8_inputs = [
    b"", b"a", b"\x00", b"\x7f", b"\xc2\x80", b"\xc2\x9f", b"\xc2\xa0", b"\xdf\xbf", b"\xe0\xa0\x80",
    b"\xef\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x9f\xbf",
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
    b"\xff", b"\x80", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"caf\xc3\xa9", "\U0001F600" * 21,
]

write("json_body", common_bodies + player_bodies[:8] + battle_bodies[:4])
write("media_type", media_types)
write("player_create", player_bodies + common_bodies[:10])
write("battle_submit", battle_bodies)
write("idempotency_key", idempotency_keys)
write("query", queries)
write("router", router_inputs)
write("auth_header", auth_headers)
write("jwt", jwt_inputs)
write("utf8", utf8_inputs)
