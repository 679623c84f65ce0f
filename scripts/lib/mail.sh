# Real mail servers on loopback for the email tests (sourced, not run): Postfix (SMTP with STARTTLS
# and AUTH through Dovecot's SASL socket) delivering to Maildirs, and Dovecot (IMAP with STARTTLS).
# Both run as daemons without systemd, on a self-signed test CA the tests trust. Needs root (it
# configures the system's postfix and dovecot); without root the mail tests are skipped locally.
#
# Exports OVERDUE_TEST_SMTP (host:port), OVERDUE_TEST_IMAP (host:port), OVERDUE_TEST_MAIL_CA (PEM),
# OVERDUE_TEST_MAIL_DOMAIN and OVERDUE_TEST_MAIL_PASSWORD (for the local users `ar` and `dana`).

# Runs a command with stdin/stdout/stderr on /dev/null and no other inherited descriptors.
detached() {
    (
        for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
        exec "$@" </dev/null >/dev/null 2>&1
    )
}

start_mail_servers() {
    if [ "$(id -u)" != 0 ]; then
        echo "== not root: skipping the real mail servers (email integration tests will be skipped) ==" >&2
        return 0
    fi
    if ! need postfix || ! need dovecot; then
        echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
        echo "postfix postfix/mailname string overdue.test" | debconf-set-selections
        apt_install postfix dovecot-imapd openssl || { echo "cannot install postfix/dovecot" >&2; return 1; }
    fi
    local dir=/etc/overdue-test-mail
    mkdir -p "$dir"
    # A test CA and a server certificate for localhost / 127.0.0.1, made once per machine.
    if [ ! -f "$dir/server.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Overdue Test CA" \
            -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
        printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" > "$dir/ext.cnf"
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
            -extfile "$dir/ext.cnf" -out "$dir/server.pem" >/dev/null 2>&1
        chmod 644 "$dir/server.pem" "$dir/ca.pem"; chmod 600 "$dir/server.key" "$dir/ca.key"
    fi
    local password=overdue-test-pw
    for user in ar dana billing; do
        id "$user" >/dev/null 2>&1 || useradd -m "$user"
        echo "$user:$password" | chpasswd
        mkdir -p "/home/$user/Maildir/new" "/home/$user/Maildir/cur" "/home/$user/Maildir/tmp"
        chown -R "$user:$user" "/home/$user/Maildir"
    done

    # Dovecot: IMAP on 127.0.0.1:143 (STARTTLS), plain auth allowed for the tests, SASL for Postfix.
    sed -i -e "s|^ssl_cert = .*|ssl_cert = <$dir/server.pem|" -e "s|^ssl_key = .*|ssl_key = <$dir/server.key|" \
        -e "s|^ssl_dh = .*|#ssl_dh|" /etc/dovecot/conf.d/10-ssl.conf
    cat > /etc/dovecot/local.conf <<EOF
protocols = imap
listen = 127.0.0.1
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = /var/log/dovecot.log
ssl = yes
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
    # Postfix: local delivery for overdue.test into Maildirs, STARTTLS, AUTH via Dovecot.
    postconf -e "myhostname = mail.overdue.test" "mydomain = overdue.test" "mydestination = overdue.test, localhost" \
        "inet_interfaces = loopback-only" "inet_protocols = ipv4" "home_mailbox = Maildir/" "maillog_file = /var/log/postfix.log" \
        "smtpd_tls_cert_file = $dir/server.pem" "smtpd_tls_key_file = $dir/server.key" "smtpd_tls_security_level = may" \
        "smtpd_sasl_type = dovecot" "smtpd_sasl_path = private/auth" "smtpd_sasl_auth_enable = yes" \
        "smtpd_relay_restrictions = permit_sasl_authenticated reject_unauth_destination" \
        "message_size_limit = 10240000" "local_recipient_maps =" "luser_relay =" "alias_maps = hash:/etc/aliases" \
        "recipient_delimiter = +"
    newaliases 2>/dev/null || true
    # Daemons must not keep the script's output open (CI reads it to the end): no inherited descriptors.
    dovecot stop </dev/null >/dev/null 2>&1 || true
    sleep 0.5
    detached dovecot || { echo "dovecot did not start:" >&2; tail -20 /var/log/dovecot.log >&2; return 1; }
    postfix stop </dev/null >/dev/null 2>&1 || true
    detached postfix start || { echo "postfix did not start:" >&2; tail -20 /var/log/postfix.log >&2; return 1; }
    # Wait until both answer.
    for _ in $(seq 1 50); do
        if (exec 3<>/dev/tcp/127.0.0.1/25) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/143) 2>/dev/null; then break; fi
        sleep 0.2
    done
    export OVERDUE_TEST_SMTP=127.0.0.1:25 OVERDUE_TEST_IMAP=127.0.0.1:143 OVERDUE_TEST_MAIL_CA="$dir/ca.pem"
    export OVERDUE_TEST_MAIL_DOMAIN=overdue.test OVERDUE_TEST_MAIL_PASSWORD=$password
    echo "== Postfix $(postconf -h mail_version) on 127.0.0.1:25, Dovecot $(dovecot --version | cut -d' ' -f1) on 127.0.0.1:143 (test CA $dir/ca.pem) ==" >&2
}
