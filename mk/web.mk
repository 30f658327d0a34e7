# Deployment (docs/deploy.md): the web server setups of contrib/ in real
# servers on 127.0.0.1:18081-18099, the systemd units, the docs' copies of
# those files, and the Debian package.
#   make web-check    the first three alone (root runs the workers as www-data)
#   make deb          build the package from a copy of the tree (which
#                     stays clean) into build/deb/
#   make deb-test     build, install, check and purge the package (root)
# Their suites are in the Makefile's list of suites (test/web/*.sh).
CHECK_DEPS += web deb

web-check: all
	@test/deps.sh web
	@test/run-suites.sh -b plain -m test/web/ -x deb.sh $(SUITES)

deb:
	@test/deps.sh deb build
	@rm -rf build/deb
	@DEB_BUILD_ONLY=1 DEB_KEEP="$(CURDIR)/build/deb" sh test/web/deb.sh
	@ls build/deb/*.deb

deb-test:
	@test/deps.sh deb build
	@test/run-suites.sh -b plain -m test/web/deb.sh $(SUITES)

.PHONY: web-check deb deb-test
