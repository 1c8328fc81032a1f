Feature: Deploy, expose, heal, scale
  A Deployment keeps a number of copies of the app running, a Service gives
  them one address, and Kubernetes replaces a pod that goes away. Every check
  asks the cluster's API server through the kubeconfig context "kind-{{ vars.cluster_name }}";
  the last one makes sure the cluster is gone.

  @deployment
  Scenario: The Deployment {{ vars.app_deployment }} runs three copies of the app
    Given the Deployment "{{ vars.app_deployment }}" exists
    Then its pods carry the label "app={{ vars.app_deployment }}"
    And it runs the image "{{ vars.app_build }}" with a pull policy that works offline
    And it wants at least 3 replicas
    And its rollout completes with all its replicas available

  @service
  Scenario: The Service {{ vars.app_service }} sends node port {{ vars.app_node_port }} to the app's pods
    Given the Service "{{ vars.app_service }}" exists
    Then it is of type NodePort
    And its port {{ vars.app_port }} forwards to port {{ vars.app_port }} of the pods
    And its port {{ vars.app_port }} is open on node port {{ vars.app_node_port }}
    And it sends traffic to exactly the ready pods of the Deployment "{{ vars.app_deployment }}"
    And http://{{ vars.app_node_host }}:{{ vars.app_node_port }}/ answers with the home page of a pod of the Deployment "{{ vars.app_deployment }}"

  @self-heal @disruptive
  Scenario: A deleted pod is replaced by a new one
    Given the Deployment "{{ vars.app_deployment }}" has at least 3 available replicas and its rollout is complete
    When the lab deletes one pod of the Deployment "{{ vars.app_deployment }}"
    Then a pod with a new UID is Ready and the Deployment has all its replicas available again within 60 seconds

  @scale
  Scenario: The Deployment {{ vars.app_deployment }} runs five copies
    Then the Deployment "{{ vars.app_deployment }}" has 5 available replicas and its rollout is complete

  @database
  Scenario: The app lists posts from MongoDB in the cluster
    Given the Deployment "{{ vars.mongo_deployment }}" exists
    Then it runs the image "{{ vars.mongo_image }}" with a pull policy that works offline
    And it wants 1 replica
    And its rollout completes with all its replicas available
    And the Service "{{ vars.mongo_service }}" exists
    And its port {{ vars.mongo_port }} forwards to port {{ vars.mongo_port }} of the pods
    And it sends traffic to exactly the ready pods of the Deployment "{{ vars.mongo_deployment }}"
    And the Deployment "{{ vars.app_deployment }}" sets DB_HOST to "{{ vars.mongo_service }}:{{ vars.mongo_port }}/posts"
    And the rollout of the Deployment "{{ vars.app_deployment }}" is complete
    And http://{{ vars.app_node_host }}:{{ vars.app_node_port }}/posts?format=json lists at least 1 post

  @teardown
  Scenario: Nothing of the lab's cluster is left
    Given none of the Kubernetes objects of this lesson is left
    Then no node container of the kind cluster "{{ vars.cluster_name }}" is left
    And the kubeconfig has no context "kind-{{ vars.cluster_name }}"
