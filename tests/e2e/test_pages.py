"""The pages are compiled into `tripod`: a copy of the binary, started from an
empty directory, serves every file of web/ byte for byte with its content
type, ETag and 304; unknown and traversal paths are 404; TRIPOD_WEB=dir serves
that directory instead (read on each request, safe against traversal)."""
import os
import shutil
import socket
import subprocess

import pytest
import requests

from conftest import START_TIMEOUT

WEB = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "web"))
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8"}
PAGES = {"/": "book.html", "/book": "book.html", "/book/": "book.html", "/admin": "admin.html",
         "/admin/": "admin.html", "/manage/x": "manage.html", "/manage/some-token": "manage.html",
         "/js/api.js": "js/api.js", "/js/admin/main.js": "js/admin/main.js", "/app.css": "app.css"}
MISSING = ("/nope.js", "/js", "/js/", "/manage/", "/manage/a/b", "/admin/x", "/book.html/",
           "/.hidden", "/js//api.js", "/web/book.html")
TRAVERSAL = ("/../CMakeLists.txt", "/..%2fCMakeLists.txt", "/%2e%2e/CMakeLists.txt",
             "//etc/passwd", "/../../../../etc/passwd", "/js/../../CMakeLists.txt",
             "/../web/book.html", "/js/../app.css")


def web_files():
    """Every file of web/ as (URL path, bytes), hidden ones left out."""
    for root, dirs, files in os.walk(WEB):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    yield "/" + os.path.relpath(full, WEB).replace(os.sep, "/"), f.read()


def raw_get(port, target):
    """The status line and whole answer to GET TARGET sent verbatim."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.split(b"\r\n", 1)[0], data


def decoy(directory):
    """A web/ in DIRECTORY whose pages must never be served."""
    os.makedirs(os.path.join(directory, "web", "js"))
    for name in ("book.html", "admin.html", "manage.html", "app.css", "js/api.js"):
        with open(os.path.join(directory, "web", name), "w") as f:
            f.write("decoy")


@pytest.fixture
def copied(make_server, tmp_path, monkeypatch):
    """A server run from a copy of the binary in an empty directory, started
    from another one, each holding a decoy web/ (what the binary used to
    look for), without TRIPOD_WEB."""
    bin_dir, cwd = tmp_path / "bin", tmp_path / "cwd"
    bin_dir.mkdir()
    cwd.mkdir()
    decoy(tmp_path)  # bin/../web
    decoy(cwd)  # ./web
    monkeypatch.chdir(cwd)
    srv = make_server(start=False)
    srv.bin = str(shutil.copy2(srv.bin, bin_dir / "tripod"))
    srv.env.pop("TRIPOD_WEB", None)
    return srv.start()


def test_copied_binary_serves_every_page_from_itself(copied):
    anon = copied.client()
    files = dict(web_files())
    assert len(files) >= 10 and "/book.html" in files
    for path, body in files.items():
        r = anon.get(path)
        assert r.status_code == 200, path
        assert r.content == body, path
        ext = os.path.splitext(path)[1]
        if ext in TYPES:
            assert r.headers["Content-Type"] == TYPES[ext], path
    for path, name in PAGES.items():
        r = anon.get(path)
        assert r.status_code == 200, path
        assert r.content == files["/" + name], path
        assert r.headers["Content-Type"] == TYPES[os.path.splitext(name)[1]], path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'"), path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert b"decoy" not in r.content


def test_every_page_names_the_favicon_and_it_is_served(copied):
    """No page's request for an icon ends in a 404: each names /favicon.svg,
    and /favicon.ico (what browsers ask for otherwise) is the same icon."""
    anon = copied.client()
    files = dict(web_files())
    for page in ("/book.html", "/admin.html", "/manage.html"):
        assert b'<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in files[page], page
    for path in ("/favicon.svg", "/favicon.ico"):
        r = anon.get(path)
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml", path
        assert r.content == files["/favicon.svg"]


def test_unknown_and_traversal_paths_are_404(copied):
    anon = copied.client()
    for path in MISSING:
        r = anon.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"] == "not_found", path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'"), path
    for target in MISSING + TRAVERSAL:
        status, data = raw_get(copied.port, target)
        assert b" 404 " in status or b" 400 " in status, (target, status)
        assert b"decoy" not in data and b"cmake_minimum_required" not in data
        assert b"root:" not in data and b"<!doctype" not in data.lower(), target
    assert anon.post("/").status_code == 405
    assert anon.delete("/app.css").status_code == 405


def test_etag_answers_304_and_head_sends_no_body(copied):
    anon = copied.client()
    tags = {}
    for path, body in web_files():
        r = anon.get(path)
        tag = r.headers["ETag"]
        assert tag.startswith('"') and tag.endswith('"') and len(tag) > 10, (path, tag)
        assert r.headers["Cache-Control"] == "no-cache", path
        tags[path] = tag
        for header in (tag, "W/" + tag, f'"other", {tag}', "*"):
            r = anon.get(path, headers={"If-None-Match": header})
            assert r.status_code == 304, (path, header)
            assert r.content == b"" and r.headers["ETag"] == tag
            assert r.headers["Cache-Control"] == "no-cache"
        r = anon.get(path, headers={"If-None-Match": '"other"'})
        assert r.status_code == 200 and r.content == body, path
        h = anon.head(path)
        assert h.status_code == 200 and h.content == b"", path
        assert int(h.headers["Content-Length"]) == len(body) and h.headers["ETag"] == tag
    assert len(set(tags.values())) == len(tags), "every file has its own ETag"
    for path, name in PAGES.items():
        assert anon.get(path).headers["ETag"] == tags["/" + name], path
    # The connection kept alive across the 304s still answers.
    assert anon.get("/app.css").status_code == 200


def test_tripod_web_overrides_the_compiled_in_pages(make_server, tmp_path):
    web = tmp_path / "override"
    (web / "js").mkdir(parents=True)
    (web / "book.html").write_text("<p>edited</p>")
    (web / "js" / "x.js").write_text("export const x = 1;")
    (web / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("outside")
    (web / "leak.txt").symlink_to(tmp_path / "outside.txt")
    srv = make_server(env={"TRIPOD_WEB": str(web)})
    anon = srv.client()
    for path in ("/", "/book", "/book.html"):
        r = anon.get(path)
        assert r.status_code == 200 and r.text == "<p>edited</p>", path
        assert r.headers["Content-Type"] == TYPES[".html"]
        assert r.headers["Cache-Control"] == "no-cache"
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    r = anon.get("/js/x.js")
    assert r.status_code == 200 and r.headers["Content-Type"] == TYPES[".js"]
    # A page edited while the server runs is served as it now is, no rebuild.
    (web / "book.html").write_text("<p>edited again</p>")
    assert anon.get("/").text == "<p>edited again</p>"
    # Only that directory: no fall-back to the compiled-in copies.
    for path in ("/admin", "/manage/x", "/app.css", "/js/api.js", "/.env", "/leak.txt"):
        assert anon.get(path).status_code == 404, path
    for target in TRAVERSAL + ("/../outside.txt", "/js/../book.html"):
        status, data = raw_get(srv.port, target)
        assert b" 404 " in status or b" 400 " in status, (target, status)
        assert b"outside" not in data and b"edited" not in data, target


def test_tripod_web_that_is_not_a_directory_stops_the_start(make_server, tmp_path):
    srv = make_server(start=False, env={"TRIPOD_WEB": str(tmp_path / "missing")})
    r = subprocess.run([srv.bin, "serve", "--port", str(srv.port), "--data", srv.data_dir],
                       env=srv.env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert r.returncode == 1, r.stderr
    assert "TRIPOD_WEB" in r.stderr and "missing" in r.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.url + "/", timeout=2)
