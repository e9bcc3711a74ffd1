"""A template was named or found where a configuration was expected.

## What it does
Reports, once per file, a Jinja (kolla-ansible, openstack-ansible), ERB (Puppet) or Helm/Go
template of an Apache httpd, nginx or uWSGI configuration, and says how to render it. The
template is not parsed: `{% if %}`, `{{ var }}` and `<%= @var %>` are not server syntax, and
judging them would only give parse errors and unknown-option noise.

A template is recognised by a marker closed on its own line: `{{ }}`, `{% %}`, `{# #}`
or `<% %>`. devstack's `%VAR%` placeholders (`apache-keystone.template`) keep the file's
structure and are checked as they are (a placeholder is an unknown value).

## Why is this bad?
What the server reads is the rendered file; only that can be checked. A template's
control statements decide which lines exist at all.

## Example
```jinja
<VirtualHost *:{{ keystone_public_listen_port }}>
{% if keystone_enable_tls %}
    SSLEngine on
{% endif %}
```

## Use instead
Render it, then check the result:
- kolla-ansible: `kolla-ansible genconfig`, then `wsgilint check --root /` on the host (or the
  node's `/etc/kolla` tree);
- openstack-ansible: run the playbook with `--check --diff`, or render one file with ansible's
  template module (`ansible localhost -m template -a 'src=FILE dest=OUT'`);
- Puppet: `puppet apply --noop`, or compile the catalog;
- Helm: `helm template RELEASE CHART --output-dir OUT`, then `wsgilint check --root OUT/...`.

## References
- https://docs.openstack.org/kolla-ansible/latest/user/operating-kolla.html
- https://helm.sh/docs/helm/helm_template/
"""
from wsgilint.findings import WARNING, Rule
from wsgilint.model.types import Deployment
from wsgilint.rules._helpers import diagnostic_hits


def check(model: Deployment):
    return diagnostic_hits(model, "template-not-rendered")


RULE = Rule(
    id="WSG011",
    name="template-not-rendered",
    severity=WARNING,
    summary="A template (Jinja, ERB, Helm) was not checked: render it first",
    fix="Render the template (kolla-ansible genconfig, ansible --check --diff, puppet apply --noop, "
        "helm template) and check the rendered file",
    references=("https://docs.openstack.org/kolla-ansible/latest/user/operating-kolla.html",
                "https://helm.sh/docs/helm/helm_template/"),
    check=check,
    docs=__doc__,
)
