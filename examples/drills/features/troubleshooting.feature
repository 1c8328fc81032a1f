Feature: Troubleshooting drills
  Each drill starts from a state lab breaks on purpose; the checks prove
  the learner found the cause and fixed it.

  @exits-at-once
  Scenario: The web server stays up and answers
    Then container "drill-web" from image "{{ vars.nginx_image }}" keeps running
    And container "drill-web" runs and publishes host port 18080
    And http://127.0.0.1:18080/ answers 200 with a page containing "Welcome to nginx!", or the workspace file "web/index.html"

  @port-taken
  Scenario: The shop runs on its own port
    Then container "drill-shop" runs image "{{ vars.nginx_image }}"
    And container "drill-shop" runs and publishes host port 18081

  @lost-data
  Scenario: The database keeps its data in the named volume
    Then container "drill-db" runs image "{{ vars.mongo_image }}"
    And container "drill-db" keeps "/data/db" in the named volume "drill-notes"

  @wrong-host
  Scenario: The app reaches its database by its service name
    Then the Compose project "drill" runs one container for each of the services "app" and "db"
    And the containers of the services "app" and "db" share a network
    And the Compose file "shop/compose.yaml" in the workspace is valid for the project "drill"
    And its service "app" sets DB_HOST to "db"

  @crash-loop
  Scenario: The proxy stays up and answers
    Then container "drill-proxy" from image "{{ vars.nginx_image }}" keeps running
    And http://127.0.0.1:18085/ answers 200 with a page containing "Welcome to nginx!", or the workspace file "proxy/index.html"

  @wrong-port
  Scenario: The proxy answers on its port
    Then container "drill-port" from image "{{ vars.nginx_image }}" keeps running
    And container "drill-port" publishes port 80/tcp on host port 18086
    And http://127.0.0.1:18086/ answers 200 with a page containing "Welcome to nginx!", or the workspace file "proxy/index.html"
