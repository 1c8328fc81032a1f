Feature: Build images the right way
  Dockerfiles for the profile page and the sample app: built on a pinned base,
  ordered so the build cache keeps the dependencies, with a small build
  context, and running as an ordinary user.

  @nginx-dockerfile
  Scenario: A Dockerfile builds the profile page into its own nginx image
    Given the image "lab/profile:v2" is built from the workspace folder "profile"
    Then its layers start with the layers of image "{{ vars.nginx_image }}"
    And its build sets a maintainer label of its own
    And its build exposes port 80
    And its file "/usr/share/nginx/html/index.html" is the workspace file "profile/index.html"
    And container "{{ vars.profile_container }}" from image "lab/profile:v2" keeps running
    And container "{{ vars.profile_container }}" publishes port 80/tcp on host port {{ vars.profile_port }}
    And http://localhost:{{ vars.profile_port }}/ serves the workspace file "profile/index.html"

  @node-app
  Scenario: The sample app runs from its own image
    Given the image "{{ vars.app_build }}" is built from the workspace folder "app"
    Then its layers start with the layers of image "{{ vars.node_image }}"
    And its working directory holds the workspace file "app/app.js"
    And container "{{ vars.app_container }}" from image "{{ vars.app_build }}" keeps running
    And container "{{ vars.app_container }}" publishes port {{ vars.app_port }}/tcp on host port {{ vars.app_port }}
    And http://localhost:{{ vars.app_port }}/ answers 200 with a page naming "lab sample app"
    And http://localhost:{{ vars.app_port }}/fibonacci/10 answers 200 with exactly "55"

  @layer-cache @slow
  Scenario: Changing only app.js keeps the dependency layer
    Given the Dockerfile in the workspace folder "app" installs the dependencies with npm
    When the lab builds a copy of the workspace folder "app" up to that instruction, changes only "app.js" and builds it again
    Then the layer of the dependency install is the same in both builds

  @dockerignore
  Scenario: .dockerignore keeps node_modules and .git out of the image
    Given the workspace folder "app" has a .dockerignore
    When the lab plants a marker file in "app/node_modules" and in "app/.git" and builds the workspace folder "app"
    Then the marker from "app/node_modules" is not in the image
    And the marker from "app/.git" is not in the image

  @hardening
  Scenario: The app image is pinned, lint-clean, small and runs as an ordinary user
    Given the Dockerfile in the workspace folder "app" passes the lint rules DL3006, DL3007, DL3020, DL3025 and LAB001
    And the image "{{ vars.app_build }}" is built from the workspace folder "app"
    Then its layers start with the layers of image "{{ vars.node_image }}"
    And its configuration runs it as a user other than root
    And "id -u" in a container from it prints a user id other than 0
    And it is smaller than 600 MB
    And its own layers add less than 50 MB to the base image

  @mongo-image
  Scenario: A MongoDB image with its own configuration and health check
    Given the image "{{ vars.db_build }}" is built from the workspace folder "db"
    Then its layers start with the layers of image "{{ vars.mongo_image }}"
    And its file "/etc/mongod.conf" is the workspace file "db/mongod.conf"
    And container "{{ vars.mongo_container }}" from image "{{ vars.db_build }}" keeps running
    And container "{{ vars.mongo_container }}" runs with the arguments "--config /etc/mongod.conf"
    And container "{{ vars.mongo_container }}" publishes port {{ vars.mongo_port }}/tcp on host port {{ vars.mongo_port }}
    And container "{{ vars.mongo_container }}" becomes healthy within 40 seconds
    And MongoDB in container "{{ vars.mongo_container }}" answers a ping at "mongodb://127.0.0.1:{{ vars.mongo_port }}" within 15 seconds
