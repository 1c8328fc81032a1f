Feature: App and database together
  One Compose file describes the app and its database; one command starts
  both on a network of their own, a restart policy brings a crashed app back,
  and the data outlives the containers.

  @compose-file
  Scenario: The Compose file declares the app and its database
    Given the Compose file "compose/compose.yaml" in the workspace is valid for the project "{{ vars.compose_project }}"
    Then its service "app" publishes container port {{ vars.app_port }} on host port {{ vars.app_port }}
    And its service "app" sets DB_HOST to "mongodb:{{ vars.mongo_port }}/posts"
    And its service "app" depends on the service "mongodb"
    And its service "app" has the restart policy "always"
    And its service "mongodb" runs the pinned image "{{ vars.mongo_image }}"
    And its service "mongodb" keeps /data/db in a named volume

  @up
  Scenario: The project {{ vars.compose_project }} runs the app and its database
    Given the Compose project "{{ vars.compose_project }}" runs one container for each of the services "app" and "mongodb"
    Then the containers of the services "app" and "mongodb" share a network
    And the container of the service "app" publishes container port {{ vars.app_port }} on host port {{ vars.app_port }}
    And http://localhost:{{ vars.app_port }}/ answers with the home page served by the container of the service "app"

  @posts
  Scenario: The app lists the posts that are in MongoDB
    Given the Compose project "{{ vars.compose_project }}" runs one container for each of the services "app" and "mongodb"
    When the lab reads the collection "posts" of the database "posts" of the service "mongodb"
    Then it holds at least 1 document
    And http://localhost:{{ vars.app_port }}/posts?format=json lists exactly those documents

  @self-heal @disruptive
  Scenario: A crashed app comes back by itself
    Given the Compose project "{{ vars.compose_project }}" runs one container for each of the services "app" and "mongodb"
    And the container of the service "app" has the restart policy "always"
    When the lab crashes the container of the service "app"
    Then it runs again within 20 seconds of the crash
    And http://localhost:{{ vars.app_port }}/ answers with its home page again within 20 seconds of the crash

  @down
  Scenario: Down removes the containers and keeps the data
    Given the Compose file "compose/compose.yaml" in the workspace is valid for the project "{{ vars.compose_project }}"
    Then its service "mongodb" keeps /data/db in a named volume
    And that named volume still exists
    And no container of the Compose project "{{ vars.compose_project }}" is left from before "docker compose down"
