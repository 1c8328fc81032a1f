Feature: Data that outlives containers
  MongoDB's files in a named volume survive the container that wrote them.

  @named-volume
  Scenario: The posts survive a new database container
    Given container "{{ vars.db_container }}" from image "{{ vars.db_build }}" keeps running
    Then container "{{ vars.db_container }}" keeps "/data/db" in the named volume "{{ vars.db_volume }}"
    And container "{{ vars.db_container }}" publishes port {{ vars.mongo_port }}/tcp on host port {{ vars.db_host_port }}
    And MongoDB in container "{{ vars.db_container }}" answers a ping at "mongodb://127.0.0.1:{{ vars.db_host_port }}" within 15 seconds
    And the collection "posts" of database "posts" there holds at least 1 document
    And container "{{ vars.db_container }}" was created after the first of those documents was inserted
