#!/usr/bin/perl
# test/web/activator.pl SOCKET PIDFILE ARGV...: what systemd does for a
# socket-activated service (contrib/systemd/), for test/web/run.sh on a
# machine whose init is not systemd.  It listens on the unix socket
# SOCKET (mode 0666) and runs ARGV with it as fd 3, LISTEN_FDS=1 and
# LISTEN_PID set, as systemd passes a socket.  SIGUSR1 is `systemctl
# restart`: SIGTERM to the service, wait until it has exited, start it
# again; the socket stays open throughout, so connections made meanwhile
# wait in its queue.  SIGTERM stops the service, then this.
use strict;
use warnings;
use Fcntl;
use POSIX ();
use Socket;

my ($path, $pidfile, @argv) = @ARGV;
die "usage: activator.pl SOCKET PIDFILE ARGV...\n" unless @argv;
socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
unlink $path;
bind($s, pack_sockaddr_un($path)) or die "bind $path: $!\n";
listen($s, SOMAXCONN) or die "listen: $!\n";
chmod 0666, $path;
my $child = 0;

sub start {
	$child = fork();
	die "fork: $!\n" unless defined $child;
	return if $child;
	fcntl($s, F_SETFD, 0);
	POSIX::dup2(fileno($s), 3) if fileno($s) != 3;
	$ENV{LISTEN_FDS} = 1;
	$ENV{LISTEN_PID} = $$;
	exec @argv or POSIX::_exit(127);
}

sub stop {
	kill 'TERM', $child;
	waitpid($child, 0);
}

my ($restart, $term) = (0, 0);
$SIG{USR1} = sub { $restart = 1 };
$SIG{TERM} = sub { $term = 1 };
start();
open(my $pf, '>', $pidfile) or die "$pidfile: $!\n";
print $pf "$$\n";
close $pf;
while (!$term) {
	select(undef, undef, undef, 0.05);
	if ($restart) {
		$restart = 0;
		stop();
		start();
	}
}
stop();
