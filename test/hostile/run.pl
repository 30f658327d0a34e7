#!/usr/bin/perl
# test/hostile/run.pl: run the cases of test/hostile/cases.txt (its head
# says the format) through one transport and check every answer.
#
#   perl test/hostile/run.pl cgi BINARY CONFIG [CASES]
#   perl test/hostile/run.pl fcgi HOST:PORT BINARY CONFIG [CASES]
#
# BINARY and CONFIG are used as CGI in both modes: for the probes that
# decide whether the "needs:" cases run.  Prints a line per failure (and
# per case with VERBOSE=1), a note of what was skipped, and ends with
# "N passed, N failed".  As CGI, MAC_WRAP (valgrind) is put before
# BINARY, and every refused case must log exactly one line naming its
# status and a rule ("mailautoconf: 400: ...": judge_log).  HOSTILE_NAMES,
# a Perl pattern, runs only the cases whose name it matches.
use strict;
use warnings;
use File::Temp qw(tempdir);
use JSON::PP;

my $mode = shift @ARGV // '';
my ($conn, $bin, $conf, $file);
if ($mode eq 'cgi') {
	($bin, $conf, $file) = @ARGV;
} elsif ($mode eq 'fcgi') {
	($conn, $bin, $conf, $file) = @ARGV;
} else {
	die "usage: run.pl cgi BIN CONF [CASES] | fcgi HOST:PORT BIN CONF [CASES]\n";
}
$file //= 'test/hostile/cases.txt';
my $tmp = tempdir('mac-hostile.XXXXXX', TMPDIR => 1, CLEANUP => 1);
my ($pass, $fail, @skipped) = (0, 0);

my %reason = (400 => 'Bad Request', 404 => 'Not Found',
    405 => 'Method Not Allowed', 413 => 'Content Too Large',
    414 => 'URI Too Long', 415 => 'Unsupported Media Type',
    500 => 'Internal Server Error');

# {N*TEXT} first, then the backslash escapes
sub value {
	my ($v) = @_;
	$v =~ s/\{(\d+)\*([^}]*)\}/$2 x $1/ge;
	$v =~ s/\\(x([0-9a-fA-F]{2})|r|n|t|0|\\)/
	    $1 eq 'r' ? "\r" : $1 eq 'n' ? "\n" : $1 eq 't' ? "\t" :
	    $1 eq '0' ? "\0" : $1 eq '\\' ? "\\" : chr(hex($2))/ge;
	return $v;
}

sub parse {
	my @cases;
	my $c;
	open(my $fh, '<', $file) or die "$file: $!\n";
	while (my $l = <$fh>) {
		chomp $l;
		next if $l =~ /^#/;
		if ($l eq '') {
			push @cases, $c if $c;
			undef $c;
			next;
		}
		$l =~ /^([a-z]+):(?: (.*))?$/ or die "$file:$.: bad line\n";
		my ($k, $v) = ($1, $2 // '');
		$c //= { line => $., env => [], body => undef };
		if ($k eq 'env') {
			push @{$c->{env}}, value($v);
		} elsif ($k eq 'body') {
			$c->{body} = ($c->{body} // '') . value($v);
		} else {
			die "$file:$.: $k twice\n" if exists $c->{$k};
			$c->{$k} = $k =~ /^(name|status|fcgi|pox|needs|clen)$/ ?
			    $v : value($v);
		}
	}
	push @cases, $c if $c;
	my %seen;
	for (@cases) {
		die "$file:$_->{line}: no name or status\n"
		    unless defined $_->{name} && defined $_->{status};
		die "$file:$_->{line}: name '$_->{name}' twice\n"
		    if $seen{$_->{name}}++;
	}
	return @cases;
}

# The CGI environment of a case.
sub environment {
	my ($c) = @_;
	my %e = (PATH => $ENV{PATH}, GATEWAY_INTERFACE => 'CGI/1.1',
	    SERVER_PROTOCOL => 'HTTP/1.1', SERVER_NAME => 'localhost',
	    REQUEST_METHOD => $c->{method} // 'GET');
	for (qw(ASAN_OPTIONS UBSAN_OPTIONS)) {
		$e{$_} = $ENV{$_} if defined $ENV{$_};
	}
	if (exists $c->{uri}) {
		$e{REQUEST_URI} = $c->{uri} if $c->{uri} ne '';
	} else {
		$e{REQUEST_URI} = ($c->{path} // '/') .
		    (defined $c->{query} ? "?$c->{query}" : '');
	}
	$e{QUERY_STRING} = $c->{query} if defined $c->{query};
	$e{HTTP_HOST} = $c->{host} if defined $c->{host};
	$e{CONTENT_TYPE} = $c->{ctype} if defined $c->{ctype};
	my $cl = $c->{clen} // 'auto';
	if ($cl eq 'auto') {
		$e{CONTENT_LENGTH} = length($c->{body}) if defined $c->{body};
	} elsif ($cl ne 'none') {
		$e{CONTENT_LENGTH} = value($cl);
	}
	for (@{$c->{env}}) {
		my ($k, $v) = split /=/, $_, 2;
		$e{$k} = $v;
	}
	return %e;
}

# Run one request; returns (raw output, exit status).
sub request {
	my ($c, $via) = @_;
	my %e = environment($c);
	my $in = "$tmp/in";
	open(my $fh, '>:raw', $in) or die;
	print $fh $c->{body} // '';
	close $fh;
	my @argv = $via eq 'fcgi' ?
	    ('timeout', '20', 'cgi-fcgi', '-bind', '-connect', $conn) :
	    ('timeout', '20', split(' ', $ENV{MAC_WRAP} // ''), $bin, '-c',
	    $conf);
	my $pid = fork() // die "fork: $!\n";
	if ($pid == 0) {
		%ENV = %e;
		open(STDIN, '<', $in) or die;
		open(STDOUT, '>', "$tmp/out") or die;
		open(STDERR, '>', "$tmp/err") or die;
		exec { $argv[0] } @argv or die "exec: $!\n";
	}
	waitpid($pid, 0);
	my $st = $?;
	local $/;
	open($fh, '<:raw', "$tmp/out") or die;
	my $out = <$fh>;
	close $fh;
	open($fh, '<:raw', "$tmp/err") or die;
	my $err = <$fh>;
	close $fh;
	return ($out // '', $st, $err // '');
}

# A refused request (a 4xx, or the Autodiscover error 600 for a malformed
# body) is logged as one line naming its status and the rule; CGI only
# (FastCGI logs elsewhere).  Error 601 answers a client that asks for
# another schema: no refusal, so no line.
sub judge_log {
	my ($c, $via, $err) = @_;
	return () if $via ne 'cgi' ||
	    ($c->{status} < 400 && ($c->{pox} // '') ne '600');
	my $want = $c->{status};
	return () if $err =~ /\Amailautoconf: $want: [A-Za-z][^\n]*\n\z/;
	$err =~ s/[^\x20-\x7e]/?/g;
	return ("not one log line for $want: '" . substr($err, 0, 200) . "'");
}

sub xml_ok {
	my ($body) = @_;
	open(my $fh, '>:raw', "$tmp/body.xml") or die;
	print $fh $body;
	close $fh;
	return system("xmllint --noout '$tmp/body.xml' 2>/dev/null") == 0;
}

# Everything wrong with one answer; an empty list when it is right.
sub judge {
	my ($c, $via, $out, $st) = @_;
	my @bad;
	my $want = ($via eq 'fcgi' && defined $c->{fcgi}) ? $c->{fcgi} :
	    $c->{status};
	my $method = $c->{method} // 'GET';

	return ("exit status $st") if $st != 0;
	my ($head, $body) = split /\r\n\r\n/, $out, 2;
	return ("no header block") unless defined $body;
	my %h;
	for my $l (split /\r\n/, $head) {
		if ($l !~ /^([A-Za-z-]+): ([\x20-\x7e]*)$/) {
			push @bad, "bad header line";
			next;
		}
		$h{lc $1} = $2;
	}
	my ($got) = ($h{status} // '') =~ /^(\d{3}) /;
	return ("status " . ($got // 'none') . ", want $want")
	    if !defined $got || $got != $want;
	push @bad, "injected header" if $head =~ /x-evil/i;
	push @bad, "injected markup" if $out =~ /<injected/i;
	push @bad, "injected header line in the body"
	    if $body =~ /(^|[\r\n])X-Evil/i;
	push @bad, "Content-Length wrong"
	    if $method ne 'HEAD' &&
	    ($h{'content-length'} // -1) != length($body);
	push @bad, "a body for HEAD" if $method eq 'HEAD' && $body ne '';
	my $ct = $h{'content-type'} // '';
	if ($want >= 400) {
		push @bad, "no Allow on a 405"
		    if $want == 405 && !defined $h{allow};
		if ($ct eq 'application/json') {
			push @bad, "JSON error body not the fixed form"
			    if $method ne 'HEAD' && $body !~
			    /^\{"ErrorCode":"[A-Za-z]+","ErrorMessage":"[^"<>\\]*"\}\n?$/;
		} elsif ($method ne 'HEAD' &&
		    $body ne "$want $reason{$want}\n") {
			push @bad, "error body not the fixed text";
		}
		return @bad;
	}
	if ($want >= 300) {
		# a redirect: to an absolute https URL of the config, no body
		push @bad, "Location not an https URL of ours"
		    unless ($h{location} // '') =~ m{^https://[a-z0-9.-]+/[!-~]*$};
		push @bad, "a body with the redirect" if $body ne '';
		return @bad;
	}
	return @bad if $method eq 'HEAD';
	if ($ct =~ m{^(text/xml|application/x-apple-aspen-config)}) {
		push @bad, "XML not well-formed" unless xml_ok($body);
	} elsif ($ct =~ m{^application/json}) {
		eval { decode_json($body); 1 } or push @bad, "JSON not valid";
	} elsif ($ct !~ m{^text/html}) {
		push @bad, "Content-Type '$ct'";
	}
	my ($code) = $body =~ m{<ErrorCode>(\d+)</ErrorCode>};
	# no body reached FastCGI: what it answers is not that body's answer
	return @bad if $via eq 'fcgi' && defined $c->{fcgi};
	if (defined $c->{pox}) {
		push @bad, "not Autodiscover error $c->{pox}"
		    if ($code // '') ne $c->{pox};
	} elsif (defined $code) {
		push @bad, "unexpected Autodiscover error $code";
	}
	return @bad;
}

# Does an endpoint work yet?  (JSON and profiles came later.)
sub probe {
	my ($c) = @_;
	my ($out, $st) = request($c, 'cgi');
	return $st == 0 && $out =~ /^Status: 200 / ? 1 : 0;
}

my %ready = (
    json => probe({ path => '/autodiscover/autodiscover.json',
	query => 'Email=a%40mailbox.org&Protocol=AutodiscoverV1',
	host => 'autodiscover.mailbox.org', env => [] }),
    mobileconfig => probe({ path => '/email.mobileconfig',
	query => 'emailaddress=a%40mailbox.org', env => [] }),
    dav => (request({ path => '/.well-known/caldav', host => 'dav.example',
	env => [] }, 'cgi'))[0] =~ /^Status: 307 / ? 1 : 0,
    pacc => probe({ path => '/.well-known/user-agent-configuration.json',
	host => 'ua-auto-config.mailbox.org', env => [] }),
);

my $only = $ENV{HOSTILE_NAMES};
for my $c (parse()) {
	next if defined $only && $only ne "" && $c->{name} !~ /$only/;
	if (defined $c->{needs} && !$ready{$c->{needs}}) {
		push @skipped, $c->{name};
		next;
	}
	my ($out, $st, $err) = request($c, $mode);
	my @bad = judge($c, $mode, $out, $st);
	push @bad, judge_log($c, $mode, $err) if $st == 0;
	# a credential (Android sends the password with its Autodiscover
	# POST) is never echoed or logged: the corpus's is base64 "injected:x"
	push @bad, "a credential echoed or logged"
	    if "$out$err" =~ /aW5qZWN0ZWQ6eA|injected:x/;
	if (@bad) {
		$fail++;
		print "FAIL $mode: $c->{name} (line $c->{line}): ",
		    join('; ', @bad), "\n";
	} else {
		$pass++;
		print "ok   $mode: $c->{name}\n" if $ENV{VERBOSE};
	}
}
printf "note: %s: %d cases skipped until their endpoint answers\n",
    $mode, scalar @skipped if @skipped;
print "$pass passed, $fail failed\n";
exit($fail ? 1 : 0);
