Feature: Is Docker ready?
  The docker CLI, an engine that answers it, a first container and Compose v2.

  @cli
  Scenario: The docker command is installed
    Then the docker CLI reports version 20.10 or newer

  @engine
  Scenario: The engine answers through the active context
    Then the Docker engine answers through the active context
    And the engine API version is 1.41 or newer

  @hello-world
  Scenario: A hello-world container ran
    Then a container from image "hello-world" exited with code 0
    And its log contains "Hello from Docker!"

  @compose
  Scenario: Docker Compose v2 is installed
    Then docker compose reports version {{ vars.compose_min_version }} or newer

  @tidy
  Scenario: The hello-world containers are removed
    Then no container from image "hello-world" remains
