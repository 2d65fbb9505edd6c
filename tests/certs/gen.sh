#!/bin/sh
# Regenerate the TEST-ONLY certificates of this folder (see README.md).
# Needs the openssl command. EC P-256 keys, no passphrase (except
# server-enc-key.pem, passphrase "secret"), valid for 100 years.
set -e
cd "$(dirname "$0")"
rm -rf _ca && mkdir _ca && touch _ca/index.txt && echo 1000 > _ca/serial
cat > _ca/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = _ca
database = _ca/index.txt
serial = _ca/serial
new_certs_dir = _ca
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[leaf]
basicConstraints = CA:FALSE
CNF
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# The test CA.
key ca-key.pem
openssl req -x509 -new -key ca-key.pem -out ca-cert.pem -days 36500 -subj '/O=greennet tests/CN=greennet test CA'
# sign NAME SUBJECT SAN [ca options...]
sign() {
  name=$1 subj=$2 san=$3; shift 3
  key "$name-key.pem"
  openssl req -new -key "$name-key.pem" -out "_ca/$name.csr" -subj "$subj" -addext "subjectAltName=$san"
  openssl ca -batch -config _ca/ca.cnf -extensions leaf -cert ca-cert.pem -keyfile ca-key.pem \
    -in "_ca/$name.csr" -out "$name-cert.pem" -notext "$@" 2>/dev/null
}
sign server '/O=greennet tests/CN=localhost' 'DNS:localhost,IP:127.0.0.1' -days 36500
sign other '/O=greennet tests/CN=other.example' 'DNS:other.example,DNS:*.other.example' -days 36500
sign client '/O=greennet tests/CN=test client' 'DNS:client.example' -days 36500
sign expired '/O=greennet tests/CN=localhost' 'DNS:localhost,IP:127.0.0.1' \
  -startdate 20200101000000Z -enddate 20200102000000Z
# A self-signed certificate for localhost (no CA).
key self-key.pem
openssl req -x509 -new -key self-key.pem -out self-cert.pem -days 36500 \
  -subj '/O=greennet tests/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1'
# The server key again, encrypted with the passphrase "secret".
openssl pkey -in server-key.pem -aes256 -passout pass:secret -out server-enc-key.pem
rm -rf _ca
