Feature: Run, look inside, change, save
  A web server in a container: publish its port, replace its page, save the
  changed container as an image and push that image to a registry on this
  machine.

  @run-nginx
  Scenario: nginx runs in the background and publishes port {{ vars.web_port }}
    Given container "{{ vars.web_container }}" runs image "{{ vars.nginx_image }}"
    Then container "{{ vars.web_container }}" publishes port 80/tcp on host port {{ vars.web_port }}
    And http://localhost:{{ vars.web_port }}/ answers 200 with a page containing "Welcome to nginx!", or the workspace file "web/index.html"

  @edit-page
  Scenario: nginx in the container serves your page
    Given container "{{ vars.web_container }}" runs image "{{ vars.nginx_image }}"
    Then http://localhost:{{ vars.web_port }}/ serves the workspace file "web/index.html"

  @commit-tag
  Scenario: The changed container is saved as an image
    Given image "lab/profile:v1" exists
    Then image "lab/profile:v1" holds the workspace file "web/index.html" at "/usr/share/nginx/html/index.html"
    And image "lab/profile:v1" has the layers of image "{{ vars.nginx_image }}" and one more
    And image "lab/profile:v1" runs the command of image "{{ vars.nginx_image }}"

  @push-local
  Scenario: The image is in a registry on this machine
    Given container "{{ vars.registry_container }}" runs and publishes host port {{ vars.registry_port }}
    Then the registry at localhost:{{ vars.registry_port }} lists repository "lab/profile" with tag "v1"
    And the registry at localhost:{{ vars.registry_port }} serves "lab/profile:v1" with the digest of image "localhost:{{ vars.registry_port }}/lab/profile:v1"
    And image "localhost:{{ vars.registry_port }}/lab/profile:v1" is image "lab/profile:v1"
